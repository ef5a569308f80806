"""Who is ranked: member departments; leading bodies, groups and places are classed by their names."""

from __future__ import annotations

import pytest

from yigai.domain.departments import DepartmentClass, classify_by_name, parse_class
from yigai.domain.plan import DepartmentKind

M, L, G, P = DepartmentClass.MEMBER, DepartmentClass.LEADING, DepartmentClass.GROUP, DepartmentClass.PLACE


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        # leading bodies: party committees, governments, congresses, CPPCC and their general offices; leading groups
        ("区委", L),
        ("仓山区委", L),
        ("福州市委", L),
        ("区政府", L),
        ("区人民政府", L),
        ("市政府", L),
        ("区委办", L),
        ("区政府办", L),
        ("区人民政府办公室", L),
        ("区人大常委会", L),
        ("区政协", L),
        ("区纪委监委", L),
        ("区深化医改领导小组", L),
        ("区深化医改领导小组（办公室）", L),
        ("区医改办", L),
        ("区应对疫情工作指挥部", L),
        # working departments, including those of the party committee and those named 委 / 委员会
        ("区委编办", M),
        ("区委宣传部", M),
        ("区委组织部", M),
        ("区卫生健康委", M),
        ("区卫生健康委员会", M),
        ("区科委", M),
        ("区发展改革委", M),
        ("区文旅局", M),
        ("区市场监管局", M),
        ("区城市管理委", M),
        ("区大数据中心", M),
        ("区疾控中心", M),
        ("区妇联", M),
        ("火车南站综管处", M),
        # one street, town or park
        ("金山街道", P),
        ("城门镇", P),
        ("城门镇人民政府", P),
        ("新区功能区", P),
        ("高新区管委会", P),
    ],
)
def test_classes_by_name(name: str, cls: DepartmentClass) -> None:
    assert classify_by_name(name) is cls


def test_the_parsers_group_marking_makes_a_group() -> None:
    assert classify_by_name("各镇街（园区）", DepartmentKind.GROUP) is G
    assert classify_by_name("区直有关部门", DepartmentKind.GROUP) is G


def test_classes_are_read_from_values_and_chinese_labels() -> None:
    assert parse_class("leading") is L and parse_class("成员单位") is M and parse_class(" 泛指单位 ") is G
    assert parse_class("department") is None and parse_class("部门") is None


def test_one_normaliser_matches_both_bracket_widths_and_prints_chinese_ones() -> None:
    from yigai.domain.departments import department_key, printed_department
    from yigai.parsing.departments import default_directory

    assert department_key(" 区卫健委 （医改办）") == department_key("区卫健委(医改办)") == "区卫健委(医改办)"
    assert printed_department("区卫健委 (医改办)") == "区卫健委（医改办）"
    # the parser's directory matches on the same key: either width resolves alike
    directory = default_directory()
    assert directory.resolve("各镇街(园区)").name == directory.resolve("各镇街（园区）").name
