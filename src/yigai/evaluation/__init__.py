"""Evaluation engine: attainment, trajectories, projections, item status, scoring (pure)."""
