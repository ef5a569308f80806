"""Evaluation engine: attainment, trajectories, projections, item status, scoring (pure).

``evaluate`` turns an ``EvaluationInput`` into a ``PlanEvaluation``; ``attainment`` and
``project`` judge one target; ``compare`` ranks plans or regions on one indicator.
"""

from yigai.evaluation.attainment import attainment
from yigai.evaluation.engine import ComparisonRow, compare, evaluate
from yigai.evaluation.trajectory import expected_at, path_position, project

__all__ = ["attainment", "compare", "ComparisonRow", "evaluate", "expected_at", "path_position", "project"]
