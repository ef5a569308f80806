"""Places and institutions: province → city → district → street/town → institution."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class OrgUnitLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    TOWN = "town"  # 街道 / 镇 / 园区
    INSTITUTION = "institution"

    @property
    def depth(self) -> int:
        return list(OrgUnitLevel).index(self) + 1


class InstitutionType(StrEnum):
    GENERAL_HOSPITAL = "综合医院"
    TCM_HOSPITAL = "中医医院"
    SPECIALTY_HOSPITAL = "专科医院"
    REGIONAL_MEDICAL_CENTER = "区域性医疗中心"
    COMMUNITY_HEALTH_CENTER = "社区卫生服务中心"
    COMMUNITY_HEALTH_STATION = "社区卫生服务站"
    TOWNSHIP_HEALTH_CENTER = "卫生院"
    VILLAGE_CLINIC = "村卫生室"
    CDC = "疾病预防控制中心"
    MATERNAL_CHILD = "妇幼保健院"
    OTHER = "其他"


class InstitutionGrade(StrEnum):
    TERTIARY_A = "三级甲等"
    TERTIARY_B = "三级乙等"
    TERTIARY = "三级"
    SECONDARY_A = "二级甲等"
    SECONDARY_B = "二级乙等"
    SECONDARY = "二级"
    PRIMARY = "一级"
    UNGRADED = "未定级"


@dataclass(slots=True)
class OrgUnit:
    code: str
    name: str
    level: OrgUnitLevel
    parent_code: str | None = None
    institution_type: InstitutionType | None = None
    grade: InstitutionGrade | None = None
    groups: list[str] = field(default_factory=list)  # e.g. 公立, 紧密型医联体成员
