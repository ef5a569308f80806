"""Errors of the synthetic-district generator."""

from __future__ import annotations

from yigai.domain.errors import InvalidInputError


class SynthError(InvalidInputError):
    """Bad generator arguments (preset, year, output folder); nothing was written."""

    message_zh = "无法生成模拟数据"
