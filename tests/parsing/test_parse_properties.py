"""Property tests: the parser raises nothing but DocumentError subclasses on any text.

Plans from other districts will look nothing like the seeds; whatever they contain,
the CLI must print a clear message rather than a traceback, so the parser may only
fail with its own error type.
"""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from yigai.domain.errors import DocumentError
from yigai.parsing import parse_text

# Building blocks of the genre: heading markers of GB/T 9704, responsibility clauses,
# deadlines, targets, table separators and the punctuation the parser keys on.
FRAGMENTS = [
    "一、",
    "二、",
    "十二、",
    "（一）",
    "（十七）",
    "(三)",
    "1.",
    "2．",
    "12、",
    "（1）",
    "(2)",
    "①",
    "②",
    "⑩",
    "**",
    "<b>",
    "</b>",
    "# ",
    "| ",
    " |",
    "|---|",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    " ",
    "\u3000",
    "牵头部门：",
    "配合部门：",
    "（牵头部门：区卫健委；配合部门：区医保局、区财政局）",
    "(牵头部门:",
    ";",
    "〔责任单位：区卫健局、各镇街（园区）〕",
    "责任单位",
    "各成员单位",
    "等",
    "区卫生健康委员会",
    "到2022年底",
    "2023年12月",
    "“十四五”末",
    "持续实施",
    "长期坚持",
    "２０２５年",
    "〔2021〕47号",
    "≥80%",
    "≤",
    "不低于",
    "不高于50%",
    "以上",
    "左右",
    "7.48张",
    "1∶2",
    "由8%提高到12%",
    "30%以上",
    "表1",
    "表2",
    "统计口径",
    "预期性",
    "约束性",
    "主要任务\t具体措施\t牵头部门\t配合部门\t类别\t完成时间",
    "措施类",
    "政策类",
    "指标类",
    "附件",
    "重点项目清单",
    "— 9 —",
    "- 12 -",
    "第3页",
    "（",
    "）",
    "、",
    "。",
    "：",
    "；",
    "〔",
    "〕",
    "《",
    "》",
    "，",
    "“",
    "”",
    "%",
    "-",
    ".",
    ":",
]

genre_text = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=12),
        st.text(alphabet="0123456789０１２３４５６７８９.．%", min_size=1, max_size=5),
    ),
    max_size=120,
).map("".join)


def _parse_or_document_error(text: str) -> None:
    with contextlib.suppress(DocumentError):
        parse_text(text)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=2000))
def test_arbitrary_text_raises_only_document_errors(text: str) -> None:
    _parse_or_document_error(text)


@settings(max_examples=150, deadline=None)
@given(text=genre_text)
def test_policy_like_text_raises_only_document_errors(text: str) -> None:
    _parse_or_document_error(text)


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(genre_text, min_size=1, max_size=30))
def test_policy_like_lines_raise_only_document_errors(lines: list[str]) -> None:
    """Line starts matter most to heading detection: put fragments at the start of lines."""
    _parse_or_document_error("\n".join(lines))
