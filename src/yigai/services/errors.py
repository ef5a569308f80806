"""Errors the supervision services raise, each naming the field (``where``) it is about.

    YigaiError (yigai.domain.errors)
    ├── AuthenticationError         wrong username or password, or no valid session
    │   └── TooManyAttemptsError    too many failed sign-ins; try again later
    ├── PermissionDeniedError       the acting user may not do this
    └── InvalidInputError           bad input; nothing was saved (defined in yigai.domain.errors)
        ├── UnknownItemError             no such task or measure in the plan
        ├── NotLeadDepartmentError       the department does not lead the item
        ├── PeriodOutsideScheduleError   the period is not one of the plan's reporting periods
        ├── PeriodNotEndedError          the period has not ended yet (office time)
        ├── ImpossibleValueError         a value its unit cannot take (a share over 100 %)
        ├── UnconfirmedValueError        a suspicious value (a 10× jump, outside the range) not yet confirmed
        ├── ScheduleMissingError         the plan has no reporting schedule yet
        ├── InvalidReportError           percent, status or review comment out of range
        ├── IllegalTransitionError       a review move TRANSITIONS does not allow
        ├── StaleVersionError            a save names a version that is no longer the latest (``current`` is)
        ├── EvidenceRejectedError        too large, empty, or a type that is not accepted
        ├── UnknownIndicatorError        no indicator or data element with that code
        ├── UnknownOrgUnitError          no org unit with that code
        ├── OutOfScopeError              the org unit or department is outside the user's scope
        ├── DuplicateError               the object already exists
        ├── WeakPasswordError            the password policy refuses the password
        ├── ImportFileError              rows of an import file are wrong (every error listed)
        ├── EmptyInputError              an input file with no records, or none usable
        └── PlanHasReportsError          a plan with reports cannot be replaced

The CLI prints ``bilingual()`` (Chinese / English) and exits with 2 for an
``InvalidInputError``, 1 for the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from yigai.domain.errors import InvalidInputError, YigaiError
from yigai.domain.reports import ProgressReport


class AuthenticationError(YigaiError):
    message_zh = "用户名或密码错误"


class TooManyAttemptsError(AuthenticationError):
    message_zh = "登录失败次数过多，请稍后再试"

    def __init__(self, message: str, *, retry_after: int, message_zh: str | None = None, where: str = "") -> None:
        super().__init__(message, message_zh=message_zh, where=where)
        self.retry_after = retry_after


class PermissionDeniedError(YigaiError):
    message_zh = "无权执行此操作"


def invalid_input(exc: YigaiError) -> InvalidInputError:
    """A lower layer's refusal of an uploaded file (e.g. ``yigai.tabular``) as the services' input error."""
    return InvalidInputError(str(exc.args[0]), message_zh=exc.message_zh, where=exc.where)


class EmptyInputError(InvalidInputError):
    """An input file (or the whole input) holds no record, or no record that could be used."""

    message_zh = "输入文件没有记录"


class UnknownItemError(InvalidInputError):
    message_zh = "计划中没有该任务或措施"


class NotLeadDepartmentError(InvalidInputError):
    message_zh = "该部门不是此项任务的牵头部门"


class PeriodOutsideScheduleError(InvalidInputError):
    message_zh = "报告期不在计划的报送期内"


class PeriodNotEndedError(InvalidInputError):
    message_zh = "报告期尚未结束"


class ImpossibleValueError(InvalidInputError):
    message_zh = "数值超出该指标单位允许的范围"


class UnconfirmedValueError(InvalidInputError):
    """A value that looks wrong; saved only when the person confirms it. ``reasons`` says why, in Chinese."""

    message_zh = "数值可疑，需确认后保存"

    def __init__(self, message: str, *, reasons: Sequence[str], message_zh: str | None = None, where: str = "") -> None:
        super().__init__(message, message_zh=message_zh, where=where)
        self.reasons = list(reasons)


class ScheduleMissingError(InvalidInputError):
    message_zh = "计划尚未设置报送周期"


class InvalidReportError(InvalidInputError):
    message_zh = "报告内容有误"


class IllegalTransitionError(InvalidInputError):
    message_zh = "当前状态下不能执行此操作"


class StaleVersionError(InvalidInputError):
    """Someone saved a newer version after the one this save edits; nothing was saved.

    ``current`` is that newer version (None when the edited one was never there), shown to the user.
    """

    message_zh = "报告已有更新的版本，本次未保存"

    def __init__(self, message: str, *, message_zh: str, where: str, current: ProgressReport | None) -> None:
        super().__init__(message, message_zh=message_zh, where=where)
        self.current = current


class EvidenceRejectedError(InvalidInputError):
    message_zh = "佐证材料不符合要求"


class UnknownIndicatorError(InvalidInputError):
    message_zh = "未知指标"


class UnknownOrgUnitError(InvalidInputError):
    message_zh = "未知机构或地区"


class OutOfScopeError(InvalidInputError):
    message_zh = "超出用户权限范围"


class WeakPasswordError(InvalidInputError):
    message_zh = "密码不符合要求"


class DuplicateError(InvalidInputError):
    message_zh = "已存在"


class PlanHasReportsError(InvalidInputError):
    message_zh = "计划已有进展报告，不能替换"


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in an import file: where it is and what is wrong, in both languages."""

    row: int  # 1-based as a spreadsheet shows it (the header is row 1)
    column: str
    message: str
    message_zh: str

    def text(self, source: str) -> str:
        return (
            f"{source} 第{self.row}行 {self.column}列 row {self.row}, column {self.column}: "
            f"{self.message_zh} / {self.message}"
        )


class ImportFileError(InvalidInputError):
    """Every row error of a file; the whole file was refused."""

    message_zh = "导入文件有误，未保存任何数据"

    def __init__(self, source: str, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        shown = self.errors[:20]
        more = len(self.errors) - len(shown)
        lines = "\n".join(e.text(source) for e in shown) + (f"\n… {more} more / 另有 {more} 处" if more else "")
        super().__init__(
            f"{len(self.errors)} error(s); nothing was saved\n{lines}",
            message_zh=f"共 {len(self.errors)} 处错误，未保存任何数据",
            where=source,
        )
