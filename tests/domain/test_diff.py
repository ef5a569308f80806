"""Text diffs of report versions: whole, as a rewrite, and compact."""

from __future__ import annotations

from yigai.domain.diff import TextOp, compact_ops, rewrite_ops, text_ops


def test_a_character_diff_of_chinese_text() -> None:
    assert text_ops("已制定方案", "已制定并印发方案") == [
        TextOp("eq", "已制定"),
        TextOp("ins", "并印发"),
        TextOp("eq", "方案"),
    ]
    assert text_ops("人员不足", "") == [TextOp("del", "人员不足")]


def test_a_rewrite_is_shown_whole_not_as_confetti() -> None:
    before, after = "已召开专题推进会，明确责任分工。", "受经费制约进度滞后，已向分管领导汇报。"
    assert rewrite_ops(before, after) == [TextOp("del", before), TextOp("ins", after)]
    assert rewrite_ops("已制定方案", "已制定并印发方案") == text_ops("已制定方案", "已制定并印发方案")


def test_compact_keeps_context_beside_each_change() -> None:
    before = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸" * 2
    after = before + "新增内容"
    ops = compact_ops(text_ops(before, after), context=4)
    assert ops == [TextOp("eq", "…庚辛壬癸"), TextOp("ins", "新增内容")]
    middle = compact_ops(text_ops("甲" * 20 + "乙" + "丙" * 20, "甲" * 20 + "丁" + "丙" * 20), context=3)
    assert middle == [TextOp("eq", "…甲甲甲"), TextOp("del", "乙"), TextOp("ins", "丁"), TextOp("eq", "丙丙丙…")]
    assert compact_ops([TextOp("del", "旧" * 70)], deleted=60) == [TextOp("del", "旧" * 60 + "…")]
