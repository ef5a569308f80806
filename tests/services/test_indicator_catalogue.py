"""The shipped catalogue loads the first time indicators are needed, even after a compute run."""

from __future__ import annotations

from yigai.bootstrap import App
from yigai.domain.indicators import Direction, IndicatorDef
from yigai.services.computed_values import register_indicators
from yigai.services.indicators import ensure_catalogue, list_indicators
from yigai.services.users import acting_user


def test_registered_computed_indicators_do_not_keep_the_shipped_catalogue_out(app: App) -> None:
    admin = acting_user(app.uow())
    register_indicators(app.uow(), admin.username, [IndicatorDef("OP_VISITS", "门急诊人次", "人次", Direction.NEUTRAL)])
    ensure_catalogue(app.uow(), admin)
    codes = {i.code for i in list_indicators(app.uow())}
    assert {"OP_VISITS", "FD_COVERAGE", "DRUG_SHARE"} <= codes


def test_an_edited_catalogue_is_not_loaded_over_again(app: App) -> None:
    admin = acting_user(app.uow())
    ensure_catalogue(app.uow(), admin)
    with app.uow() as uow:
        first = uow.audit.search(action="indicators.load")[0]
    ensure_catalogue(app.uow(), admin)
    with app.uow() as uow:
        assert uow.audit.search(action="indicators.load")[0] == first == 1
