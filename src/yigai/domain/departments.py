"""What a responsible unit is, for the department ranking: a member department, a leading body,
a group of units or a place.

A plan names as responsible not only the member departments of the reform's leading group
(区卫生健康委, 区医保局 …) but also the bodies that lead it (区委, 区政府, 区深化医改领导小组),
phrases that stand for many units (各镇街（园区）, 区直有关部门 — the parser marks them
``DepartmentKind.GROUP``) and single towns, streets and parks (金山街道). Only member
departments are ranked in a bulletin (通报); the others are listed apart with the reason.

The class comes from the name by the rules below, the parser's group marking, and an
explicit choice the office stores for a department (which wins).
"""

from __future__ import annotations

import re
from enum import StrEnum

from yigai.domain.plan import DepartmentKind


class DepartmentClass(StrEnum):
    MEMBER = "member"  # 成员单位: ranked
    LEADING = "leading"  # 领导机构: 区委, 区政府, 领导小组 and their offices
    GROUP = "group"  # 泛指: 各镇街（园区）, 区直有关部门, 各成员单位
    PLACE = "place"  # 属地: one town, street or park (金山街道, 新区功能区)


CLASS_LABELS = {
    DepartmentClass.MEMBER: "成员单位",
    DepartmentClass.LEADING: "领导机构",
    DepartmentClass.GROUP: "泛指单位",
    DepartmentClass.PLACE: "属地镇街（园区）",
}

# Why a unit is not ranked, as the bulletin prints it.
NOT_RANKED_REASONS = {
    DepartmentClass.LEADING: "领导机构，负责统筹协调",
    DepartmentClass.GROUP: "泛指多个单位，不是一个部门",
    DepartmentClass.PLACE: "属地镇街（园区），不是部门",
}

# A party committee, a government, a people's congress, a CPPCC, a discipline commission of a
# place (区委, 仓山区委, 区人民政府, 区人大常委会, 区政协, 区纪委监委) and their general offices
# (区委办, 区政府办公室); the place's name before them is optional. 区委编办, 区委宣传部 and
# 区卫健委 are working departments, not matched.
_LEADING_BODY = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,10}?[省市区县旗])?"
    r"(?:委|党委|党工委|委员会|人民政府|政府|人大|人大常委会|政协|纪委|纪委监委|监委)"
    r"(?:办公室|办公厅|办)?$"
)
# A leading group, a headquarters and their offices (区深化医改领导小组, 区医改办, …指挥部).
_LEADING_GROUP = re.compile(r"(?:领导小组|指挥部)(?:办公室|秘书处)?$|医改办$|深化医改办$")
# One town, street or park: its government or office included (金山街道, 城门镇人民政府, 新区功能区).
_PLACE = re.compile(
    r"(?:街道|街道办事处|办事处|镇|乡|镇人民政府|乡人民政府|镇政府|乡政府|园区|功能区|开发区|高新区|管委会|片区)$"
)


_TO_ASCII = str.maketrans("（）", "()")
_TO_PRINTED = str.maketrans("()", "（）")


def department_key(name: str) -> str:
    """The one normalised form of a department name for matching: no whitespace, ASCII brackets.

    区卫健委（医改办） and 区卫健委 (医改办) are one key. The parser's directory and the
    office's alias table both match on it.
    """
    return re.sub(r"\s+", "", name).translate(_TO_ASCII)


def printed_department(name: str) -> str:
    """A department name as printed and stored: its :func:`department_key` with Chinese brackets."""
    return department_key(name).translate(_TO_PRINTED)


def _plain(name: str) -> str:
    """No whitespace, no bracketed note: 区深化医改领导小组（办公室） reads as 区深化医改领导小组."""
    text = re.sub(r"\s+", "", name)
    return re.sub(r"[（(][^（）()]*[）)]$", "", text) or text


def classify_by_name(name: str, kind: DepartmentKind = DepartmentKind.DEPARTMENT) -> DepartmentClass:
    """The class a responsible unit's name implies; ``kind`` is the parser's (GROUP for 各镇街 …)."""
    if kind is DepartmentKind.GROUP:
        return DepartmentClass.GROUP
    plain = _plain(name)
    if _LEADING_BODY.match(plain) or _LEADING_GROUP.search(plain):
        return DepartmentClass.LEADING
    if _PLACE.search(plain):
        return DepartmentClass.PLACE
    return DepartmentClass.MEMBER


def parse_class(value: str) -> DepartmentClass | None:
    """A class from its value or its Chinese label (member, 成员单位, 领导机构 …); None when neither."""
    text = value.strip()
    for cls, label in CLASS_LABELS.items():
        if text in (cls.value, label):
            return cls
    return None
