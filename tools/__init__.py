"""Development tooling shared by the tests and the benchmarks (not the app)."""
