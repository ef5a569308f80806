"""Storage: SQLAlchemy tables, the plan repository, unit of work and migrations.

Nothing here connects at import time; ``yigai.bootstrap.build`` creates the
engine and runs the migrations.
"""
