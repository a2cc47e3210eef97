"""Metrics, the indicator model, trends, evaluators, compliance: the numbers the product reports."""
