"""Org units, departments, users and the audit log over the API."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from .conftest import PASSWORDS, Web


def test_org_units_tree_and_load(web: Web) -> None:
    leader = web.client("leader")
    town = leader.get("/api/v1/orgunits", params={"under": "350104101"}).json()
    assert town[0]["code"] == "350104101" and {u["parent_code"] for u in town[1:]} == {"350104101"}
    csv_file = "code,name,level,parent,type\n350104101-09,城门镇新卫生室,institution,350104101,村卫生室\n".encode()
    admin = web.client("admin")
    loaded = admin.post("/api/v1/orgunits/load", files={"file": ("units.csv", csv_file, "text/csv")})
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["created"] == 1
    codes = [u["code"] for u in leader.get("/api/v1/orgunits", params={"under": "350104101"}).json()]
    assert "350104101-09" in codes
    bad = admin.post("/api/v1/orgunits/load", files={"file": ("units.csv", b"code,name\n,x\n", "text/csv")})
    assert bad.status_code == 422 and bad.json()["error"]["errors"]


def test_departments_aliases_and_rename(web: Web) -> None:
    admin = web.client("admin")
    added = admin.post("/api/v1/departments/aliases", json={"alias": "仓山卫健", "canonical": "区卫健委"})
    assert added.status_code == 201 and added.json()["department"] == "区卫生健康委"
    unknown = admin.post("/api/v1/departments/aliases", json={"alias": "", "canonical": "区卫健委"})
    assert unknown.status_code == 422
    health = next(d for d in admin.get("/api/v1/departments").json() if d["name"] == "区卫生健康委")
    assert "仓山卫健" in health["aliases"]
    assert (
        admin.post("/api/v1/departments/rename", json={"old": "区医保局", "new": "区医疗保障局"}).json()["touched"] > 0
    )
    me = web.client("ybj").get("/api/v1/auth/me").json()
    assert me["user"]["departments"] == ["区医疗保障局"]


def test_a_departments_ranking_class_is_read_from_its_name_and_set_by_the_office(web: Web) -> None:
    admin, leader = web.client("admin"), web.client("leader")
    listed = {d["name"]: d for d in leader.get("/api/v1/departments").json()}
    assert (listed["区委"]["ranking_class"], listed["区委"]["class_label"], listed["区委"]["class_set"]) == (
        "leading",
        "领导机构",
        False,
    )
    assert listed["各镇街（园区）"]["ranking_class"] == "group" and listed["区卫生健康委"]["ranking_class"] == "member"
    before = admin.get("/api/v1/plans/1/evaluation", params={"at": "2024-01-16"}).json()
    assert "区政府" in {d["name"] for d in before["not_ranked"]}
    assert not {d["name"] for d in before["departments"]} & {"区委", "区政府", "各镇街（园区）", "区直有关部门"}
    assert leader.put("/api/v1/departments/区政府/class", json={"class": "member"}).status_code == 403
    set_ = admin.put("/api/v1/departments/区政府/class", json={"class": "成员单位"})
    assert set_.status_code == 200 and (set_.json()["ranking_class"], set_.json()["class_set"]) == ("member", True)
    after = admin.get("/api/v1/plans/1/evaluation", params={"at": "2024-01-16"}).json()
    assert "区政府" in {d["name"] for d in after["departments"]}  # ranked now (it leads 3 items)
    bad = admin.put("/api/v1/departments/区政府/class", json={"class": "部门"})
    assert bad.status_code == 422 and "未知的部门类别" in bad.json()["error"]["message"]


def test_users_create_list_and_passwords(web: Web) -> None:
    admin = web.client("admin")
    created = admin.post(
        "/api/v1/users",
        json={
            "username": "czj",
            "display_name": "财政局填报员",
            "role": "department_reporter",
            "departments": ["区财政局"],
            "password": "czj-pass-99",
        },
    )
    assert created.status_code == 201 and created.json()["departments"] == ["区财政局"]
    assert admin.post("/api/v1/users", json={"username": "czj", "role": "viewer"}).status_code == 409
    no_dept = admin.post("/api/v1/users", json={"username": "x1", "role": "department_reporter"})
    assert no_dept.status_code == 422 and no_dept.json()["error"]["where"] == "departments"
    weak = admin.post("/api/v1/users", json={"username": "x2", "role": "viewer", "password": "short"})
    assert weak.status_code == 422 and weak.json()["error"]["where"] == "password"
    names = [u["username"] for u in admin.get("/api/v1/users").json()]
    assert names[:2] == ["admin", "wjw"] and "czj" in names
    login = web.client(None).post("/api/v1/auth/login", json={"username": "czj", "password": "czj-pass-99"})
    assert login.status_code == 200
    # a new password set by the office ends the user's sessions
    leader = web.client("leader")
    assert admin.put("/api/v1/users/leader/password", json={"password": "leader-new-pass"}).status_code == 200
    assert leader.get("/api/v1/auth/me").status_code == 401
    old = web.client(None).post("/api/v1/auth/login", json={"username": "leader", "password": PASSWORDS["leader"]})
    assert old.status_code == 401


def test_changing_your_own_password_needs_the_current_one(web: Web) -> None:
    wjw = web.client("wjw")
    wrong = wjw.post("/api/v1/auth/password", json={"password": "another-pass-1", "current_password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["where"] == "current_password"
    assert (
        wjw.post(
            "/api/v1/auth/password", json={"password": "another-pass-1", "current_password": PASSWORDS["wjw"]}
        ).status_code
        == 200
    )
    assert (
        web.client(None).post("/api/v1/auth/login", json={"username": "wjw", "password": "another-pass-1"}).status_code
        == 200
    )


def test_audit_log_filtered_paginated_exported(web: Web) -> None:
    admin, wjw = web.client("admin"), web.client("wjw")
    for version, percent in enumerate((10, 20, 30)):
        wjw.post(
            "/api/v1/plans/1/reports/T4.M2/2023Q4",
            json={
                "department": "区卫生健康委",
                "status": "推进中",
                "percent": percent,
                "narrative": "@SUM(1+1)",
                "base_version": version,
            },
        )
    page = admin.get("/api/v1/audit", params={"actor": "wjw", "action": "report.", "per_page": 2}).json()
    assert (page["total"], page["pages"], len(page["entries"])) == (3, 2, 2)
    assert [e["after"]["percent"] for e in page["entries"]] == [30, 20]  # newest first
    second = admin.get("/api/v1/audit", params={"actor": "wjw", "action": "report.", "per_page": 2, "page": 2})
    assert [e["after"]["percent"] for e in second.json()["entries"]] == [10]
    keyed = admin.get("/api/v1/audit", params={"entity": "progress_report", "entity_key": "1/T4.M2/2023Q4"}).json()
    assert keyed["total"] == 3
    assert admin.get("/api/v1/audit", params={"since": "2000-01-01", "until": "2000-01-02"}).json()["total"] == 0
    assert admin.get("/api/v1/audit", params={"per_page": 10_000}).status_code == 422
    rows = list(
        csv.reader(
            io.StringIO(
                admin.get("/api/v1/audit", params={"actor": "wjw", "format": "csv"}).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0] == ["时间", "操作人", "操作", "对象", "对象编号", "修改前", "修改后"] and len(rows) == 4
    book = load_workbook(io.BytesIO(admin.get("/api/v1/audit", params={"actor": "wjw", "format": "xlsx"}).content))
    sheet = book.active
    assert sheet is not None and sheet.max_row == 4
    assert all(not str(cell.value or "").startswith(("=", "@", "+", "-")) for row in sheet.iter_rows() for cell in row)
