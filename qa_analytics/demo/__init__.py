"""The seeded demo center and its loader."""
