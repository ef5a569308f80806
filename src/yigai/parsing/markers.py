"""GB/T 9704 heading and list markers, and Chinese numerals.

Markers are recognised on normalised text (full-width digits and brackets
already folded to ASCII).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMERAL_CHARS = "零〇一二三四五六七八九十百两"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def cn_to_int(text: str) -> int | None:
    """Convert a Chinese numeral up to 999 (一, 十七, 二十, 一百零五) to int."""
    if not text or any(c not in CN_NUMERAL_CHARS for c in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = CN_DIGITS[ch]
    return total + current


class MarkerType(StrEnum):
    CHAPTER = "chapter"  # 第一章 / 第一部分
    CN = "cn"  # 一、
    PAREN_CN = "paren_cn"  # （一）
    NUM = "num"  # 1.  1、
    PAREN_NUM = "paren_num"  # （1）
    CIRCLED = "circled"  # ①


@dataclass(frozen=True, slots=True)
class Marker:
    type: MarkerType
    number: int
    text: str  # the marker as it appears in the normalised text, e.g. "(三)"
    length: int  # characters consumed including trailing separators/spaces


_MARKER_RES: list[tuple[MarkerType, re.Pattern[str]]] = [
    (MarkerType.CHAPTER, re.compile(r"第([一二三四五六七八九十百零〇两\d]{1,4})(?:章|部分|篇)\s*")),
    (MarkerType.CN, re.compile(r"([一二三四五六七八九十百零〇两]{1,4})\s*[、.．,](?![\d])\s*")),
    (MarkerType.PAREN_CN, re.compile(r"\(\s*([一二三四五六七八九十百零〇两]{1,4})\s*\)[、.]?\s*")),
    (MarkerType.NUM, re.compile(r"(\d{1,3})\s*(?:[.、](?!\d)|．)\s*")),
    (MarkerType.PAREN_NUM, re.compile(r"\(\s*(\d{1,3})\s*\)[、.]?\s*")),
    (MarkerType.CIRCLED, re.compile(rf"([{CIRCLED}])\s*")),
]


def match_marker(text: str, pos: int = 0) -> Marker | None:
    """The heading/list marker at ``pos`` of ``text``, if any."""
    for mtype, rx in _MARKER_RES:
        m = rx.match(text, pos)
        if not m:
            continue
        raw = m.group(1)
        if mtype is MarkerType.CIRCLED:
            number = CIRCLED.index(raw) + 1
        elif raw.isdigit():
            number = int(raw)
        else:
            value = cn_to_int(raw)
            if value is None:
                continue
            number = value
        if number == 0:
            continue
        # A marker must be followed by content, not end the line.
        if m.end() >= len(text) or text[m.end()] == "\n":
            continue
        return Marker(mtype, number, m.group(0).strip(), m.end() - pos)
    return None


_OTHER_STARTS = re.compile(r"(?:附件\s*\d*\s*[:：]?|附表|表\s*\d+|——|--|—{2})")


def starts_block(text: str) -> bool:
    """True when a line opens a new paragraph: a marker, 附件, 表N, or a dash lead."""
    return match_marker(text) is not None or _OTHER_STARTS.match(text) is not None
