"""Indicators computed from operational records: the standard catalogue (data/indicators/), the
engine that computes it for any org-unit level and period, and the dialect layer that keeps the
SQL portable to PostgreSQL and Spark. Free of the indicator store: services/analytics.py writes
the results there.
"""
