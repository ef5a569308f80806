"""yigai — 医改监测评价平台: health-reform plans as a live, measurable system."""

__version__ = "0.1.0"
