"""Shared vocabulary with no I/O: problem codes, period arithmetic, China's working-day calendar."""
