"""Statistical procedures, one module per family, pinned to reference packages in the tests."""
