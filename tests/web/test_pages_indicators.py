"""Indicator pages: the catalogue, the series with target line, path and projection, entry and import."""

from __future__ import annotations

import re

from yigai.services.values import list_values

from .conftest import Web
from .pages_helpers import AT, BEDS, add_history, csrf_of, data_island, post_forms


def test_catalogue_lists_indicators_with_what_is_known(web: Web) -> None:
    add_history(web)
    html = web.client("leader").get("/indicators").text
    assert f'href="/indicators/{BEDS}"' in html and "每千人口医疗卫生机构床位数" in html
    assert "家庭医生签约覆盖率" in html


def test_indicator_page_draws_series_target_path_and_projection(web: Web) -> None:
    add_history(web)
    html = web.client("leader").get(f"/indicators/{BEDS}?at={AT}").text
    chart = data_island(html, "chart-target-1-1")
    assert chart["kind"] == "trend" and chart["target"] == 7.0
    assert [o[1] for o in chart["observed"]] == [5.0, 5.2, 5.3] and chart["path"] and chart["projection"]
    assert "按当前趋势，2025年预计达到" in html and "存在未达标风险" in html
    assert "仓山区" in html and "2023年" in html  # the values by org unit
    assert [f for f in post_forms(html) if 'action="/logout"' not in f] == []  # a viewer enters nothing


def test_office_enters_a_value_and_it_shows(web: Web) -> None:
    client = web.client("admin", csrf=False)
    page = client.get(f"/indicators/{BEDS}").text
    response = client.post(
        f"/indicators/{BEDS}/values",
        data={
            "csrf_token": csrf_of(page, f"/indicators/{BEDS}/values"),
            "org_unit": "350104",
            "period": "2024",
            "value": "5.6",
            "comment": "卫健统计",
        },
    )
    assert response.status_code == 200 and "已保存" in response.text and "卫健统计" in response.text
    assert [(r.value.period_id, r.value.value) for r in list_values(web.core.uow(), key=BEDS)] == [("2024", 5.6)]


def test_an_institution_enters_only_its_own_values(web: Web) -> None:
    client = web.client("cmz", csrf=False)
    page = client.get("/indicators/FD_COVERAGE").text
    assert '<option value="350104101-01">' in page and '<option value="350104">' not in page
    own = client.post(
        "/indicators/FD_COVERAGE/values",
        data={
            "csrf_token": csrf_of(page, "/indicators/FD_COVERAGE/values"),
            "org_unit": "350104101-01",
            "period": "2023Q4",
            "value": "62.5",
        },
    )
    assert own.status_code == 200 and "已保存" in own.text
    other = client.post(
        "/indicators/FD_COVERAGE/values",
        data={
            "csrf_token": csrf_of(page, "/indicators/FD_COVERAGE/values"),
            "org_unit": "350104",
            "period": "2023Q4",
            "value": "70",
        },
    )
    assert other.status_code == 403 and "无权填报" in other.text
    assert len(list_values(web.core.uow(), key="FD_COVERAGE")) == 1


def test_file_import_saves_all_rows_or_lists_every_bad_one(web: Web) -> None:
    client = web.client("admin", csrf=False)
    page = client.get(f"/indicators/{BEDS}").text
    good = "指标,机构,报告期,数值\nBEDS_PER_1000,350104,2021,5.0\nBEDS_PER_1000,350104,2022,5.2\n"
    response = client.post(
        f"/indicators/{BEDS}/import",
        data={"csrf_token": csrf_of(page, f"/indicators/{BEDS}/import")},
        files={"file": ("床位.csv", good.encode(), "text/csv")},
    )
    assert response.status_code == 200 and "已导入 2 行" in response.text
    bad = "指标,机构,报告期,数值\nBEDS_PER_1000,350104,2023,abc\nBEDS_PER_1000,999,2023,5\n"
    refused = client.post(
        f"/indicators/{BEDS}/import",
        data={"csrf_token": csrf_of(page, f"/indicators/{BEDS}/import")},
        files={"file": ("床位.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 422 and "第2行" in refused.text and "第3行" in refused.text
    assert len(list_values(web.core.uow(), key=BEDS)) == 2


def test_unknown_indicator_code_is_a_404_page(web: Web) -> None:
    assert web.client("leader").get("/indicators/NOPE").status_code == 404


def _field(html: str, name: str) -> str:
    """The value an <input name=…> of the value form carries."""
    found = re.search(rf'<input type="text" name="{name}"[^>]*value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def test_a_refused_value_stays_in_the_form_with_the_message(web: Web) -> None:
    client = web.client("admin", csrf=False)
    page = client.get("/indicators/FD_COVERAGE").text
    token = csrf_of(page, "/indicators/FD_COVERAGE/values")
    refused = client.post(
        "/indicators/FD_COVERAGE/values",
        data={
            "csrf_token": token,
            "org_unit": "350104101",
            "period": "2023年第4季度",
            "value": "147.2",
            "comment": "核对中",
        },
    )
    assert refused.status_code == 422 and "家庭医生签约覆盖率的数值 147.2% 超过 100%" in refused.text
    assert (_field(refused.text, "period"), _field(refused.text, "value"), _field(refused.text, "comment")) == (
        "2023年第4季度",
        "147.2",
        "核对中",
    )
    assert '<option value="350104101" selected>' in refused.text and 'name="confirm"' not in refused.text
    future = client.post(
        "/indicators/FD_COVERAGE/values",
        data={"csrf_token": token, "org_unit": "350104", "period": "2099Q4", "value": "70"},
    )
    assert future.status_code == 422 and "报告期「2099年第4季度」尚未结束" in future.text
    assert list_values(web.core.uow(), key="FD_COVERAGE") == []


def test_a_jump_asks_to_be_confirmed(web: Web) -> None:
    client = web.client("admin", csrf=False)
    page = client.get("/indicators/FD_COVERAGE").text
    token = csrf_of(page, "/indicators/FD_COVERAGE/values")
    base = {"csrf_token": token, "org_unit": "350104", "period": "2023年第3季度", "value": "6.5"}
    assert client.post("/indicators/FD_COVERAGE/values", data=base).status_code == 200
    held = client.post("/indicators/FD_COVERAGE/values", data={**base, "period": "2023年第4季度", "value": "65"})
    assert held.status_code == 422 and "该数值可疑，尚未保存" in held.text
    assert "65 是2023年第3季度数值（6.5）的 10 倍，变化异常" in held.text
    assert 'name="confirm"' in held.text and "确认保存</button>" in held.text and _field(held.text, "value") == "65"
    assert len(list_values(web.core.uow(), key="FD_COVERAGE")) == 1
    confirmed = client.post(
        "/indicators/FD_COVERAGE/values", data={**base, "period": "2023年第4季度", "value": "65", "confirm": "1"}
    )
    assert confirmed.status_code == 200 and "已确认保存" in confirmed.text and "2023年第4季度" in confirmed.text
    assert [(r.value.period_id, r.outlier) for r in list_values(web.core.uow(), key="FD_COVERAGE")] == [
        ("2023Q3", False),
        ("2023Q4", True),
    ]
