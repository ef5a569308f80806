"""One month of inpatient discharges for one town (or the district's outside patients).

Admissions are Poisson draws from age-banded rates (raised for chronic patients), deliveries come
from the women registered pregnant, and the residents who die in hospital leave with status
``death`` on their death day. Stays are dated by discharge; an admission before 1 January is moved
to 1 January so every date stays in the year and ``los`` is always discharge − admission.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from yigai.records.schema import table
from yigai.synth.activity import INSURANCE, STATUSES, Patients, Referrals
from yigai.synth.arrow import dates, ids, yuan
from yigai.synth.config import by_band, normalised
from yigai.synth.district import days_in_month, month_start
from yigai.synth.icd import ROUTES
from yigai.synth.model import CENTRE, Model, pick, split_cost
from yigai.synth.population import Cohort

GROUPS = ("child", "adult", "delivery", "death")
OTHER_DX = pa.array(["", "I10.x00x002", "E11.900", "I10.x00x002;E11.900"], pa.string())  # 高血压, 2型糖尿病 (医保版)


def discharges(
    rng: np.random.Generator,
    model: Model,
    p: Patients,
    person: np.ndarray,
    group: np.ndarray,
    day: np.ndarray,
    year: int,
    district: int,
    id_prefix: str,
    referrals: Referrals,
) -> tuple[pa.Table, np.ndarray]:
    """Discharge rows for (person, group, discharge day) triples; group 3 (death) dies on that day."""
    inp = model.cfg.rates["inpatient"]
    order = np.argsort(day, kind="stable")
    person, group, day = person[order], group[order], day[order]
    n = len(person)
    cat = np.zeros(n, dtype=np.int64)
    leaf = np.zeros(n, dtype=np.int64)
    route = np.zeros(n, dtype=np.int64)
    los_mean = np.zeros(n)
    cost_mean = np.zeros(n)
    elective_p = np.zeros(n)
    day_p = np.zeros(n)
    proc = np.full(n, -1, dtype=np.int64)
    for g, name in enumerate(GROUPS):
        m = group == g
        k = int(m.sum())
        if not k:
            continue
        t = model.inpatient[name]
        c, lf = t.draw(rng, k, p.female[person[m]])
        cat[m], leaf[m] = c, lf + model.code_offset[f"in:{name}"]
        route[m] = t.route[c]
        los_mean[m], cost_mean[m] = t.field("los", 7.0)[c], t.field("cost", 8000.0)[c]
        elective_p[m], day_p[m] = t.field("elective")[c], t.field("day")[c]
        pr = model.procedures[name].draw(rng, c)
        proc[m] = np.where(pr >= 0, pr + model.code_offset[f"proc:{name}"], -1)
    # where: by route; the centre means the patient's own centre
    routes = model.routes[district]
    inst = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    for r, name in enumerate(ROUTES):
        m = route == r
        cum = routes.in_cum[name] if p.centre >= 0 else routes.in_cum_outside[name]
        target = routes.in_targets[name][pick(cum, u[m])]
        inst[m] = np.where(target == CENTRE, max(p.centre, 0), target)
    has_proc = proc >= 0
    surgery = has_proc & model.proc_surgery[np.where(has_proc, proc, 0)]
    mi = surgery & model.proc_mi[np.where(has_proc, proc, 0)]
    elective = surgery & (rng.random(n) < elective_p)
    day_surgery = elective & (rng.random(n) < day_p)
    sigma = float(inp["los_sigma"])
    los = np.maximum(
        1,
        np.round(np.exp(np.log(los_mean * model.in_los_factor[inst]) - sigma**2 / 2 + sigma * rng.standard_normal(n))),
    ).astype(np.int64)
    los = np.where(day_surgery, rng.integers(0, 2, n), los)
    year_start = month_start(year, 1)
    admission = np.maximum(day - los, year_start)
    los = day - admission
    csig = float(inp["cost_sigma"])
    premium = model.tertiary[inst] & (rng.random(n) < inp["premium_share"])
    cost = (
        cost_mean
        * model.in_cost_factor[inst]
        * np.exp(-(csig**2) / 2 + csig * rng.standard_normal(n))
        * np.where(premium, 2.0, 1.0)
    )
    total = np.maximum(np.round(cost * 100).astype(np.int64), 10000)
    setting = np.where(surgery, 1, np.where(model.tcm[inst], 2, 0))
    parts = split_cost(rng, total, model.in_alpha[setting])
    insurance = pick(np.cumsum(normalised(inp["insurance"], list(INSURANCE))), rng.random(n))
    ratio = np.array([float(inp["fund_ratio"][k]) for k in INSURANCE])[insurance]
    ooc = np.minimum(np.round(total * inp["out_of_catalogue_share"] * rng.exponential(1.0, n)).astype(np.int64), total)
    fund = np.round((total - ooc) * ratio).astype(np.int64)
    status = pick(np.cumsum(normalised(inp["discharge_status"], list(STATUSES))), rng.random(n))
    at_centre = model.primary[inst]
    status = np.where(at_centre & (status == 2), 0, status)  # a centre does not discharge to a centre
    if p.centre < 0:
        status = np.where(status == 2, 0, status)
    status_codes = np.array(STATUSES + ("death",))[np.where(group == 3, len(STATUSES), status)]
    person_ids = p.person_id.take(pa.array(person))
    if p.centre >= 0:
        down = np.flatnonzero((status == 2) & (group != 3))
        referrals.add(
            person_ids.take(pa.array(down)), inst[down], np.full(len(down), p.centre), False, day[down], False
        )
        up = np.flatnonzero((status == 1) & at_centre & (group != 3))
        tertiary = routes.hospitals[0]
        referrals.add(person_ids.take(pa.array(up)), inst[up], np.full(len(up), tertiary), True, day[up], False)
    other = p.hypertension[person].astype(np.int64) + 2 * p.diabetes[person].astype(np.int64)
    schema = table("inpatient_discharges").arrow_schema()
    null = pa.nulls(n, pa.string())
    return pa.Table.from_arrays(
        [
            ids(id_prefix, np.arange(n), 6),
            person_ids,
            model.ids.take(pa.array(inst)),
            pa.array(np.array(INSURANCE)[insurance], pa.string()),
            dates(admission),
            dates(day),
            pa.array(los),
            model.diagnosis_codes.take(pa.array(leaf)),
            OTHER_DX.take(pa.array(other, mask=other == 0)),
            model.proc_codes.take(pa.array(np.where(has_proc, proc, 0), mask=~has_proc)),
            null,
            pa.array(surgery),
            pa.array(mi),
            pa.array(elective),
            pa.array(day_surgery),
            yuan(total),
            *(yuan(parts[:, k]) for k in range(7)),
            yuan(fund),
            yuan(total - fund),
            yuan(ooc),
            pa.array(premium),
            pa.array(status_codes, pa.string()),
        ],
        schema=schema,
    ), inst


def resident_discharges(
    rng: np.random.Generator,
    model: Model,
    c: Cohort,
    p: Patients,
    year: int,
    month: int,
    id_prefix: str,
    referrals: Referrals,
) -> tuple[pa.Table, np.ndarray]:
    inp = model.cfg.rates["inpatient"]
    out = model.cfg.rates["outpatient"]
    start, dim = month_start(year, month), days_in_month(year, month)
    factor = np.where(c.resident, 1.0, out["nonresident_factor"])
    chronic = np.where(c.hypertension | c.diabetes, inp["chronic_factor"], 1.0)
    counts = rng.poisson(by_band(inp["admissions_per_year"], c.age) * chronic * factor / 12)
    person = np.repeat(np.arange(len(c)), counts)
    group = np.where(c.age[person] < 15, 0, 1)
    deliver = np.flatnonzero(c.delivery_month == month)
    dying = np.flatnonzero(c.died_in_hospital & (c.death_day >= start) & (c.death_day < start + dim))
    person = np.concatenate([person, deliver, dying])
    group = np.concatenate([group, np.full(len(deliver), 2), np.full(len(dying), 3)])
    day = np.concatenate([start + rng.integers(0, dim, len(person) - len(dying)), c.death_day[dying]])
    keep = (group == 3) | (day < c.death_day[person])
    return discharges(rng, model, p, person[keep], group[keep], day[keep], year, c.district.index, id_prefix, referrals)


def outside_discharges(
    rng: np.random.Generator, model: Model, district: int, p: Patients, year: int, month: int, id_prefix: str
) -> tuple[pa.Table, np.ndarray]:
    n = len(p.age)
    day = month_start(year, month) + rng.integers(0, days_in_month(year, month), n)
    return discharges(
        rng, model, p, np.arange(n), np.ones(n, dtype=np.int64), day, year, district, id_prefix, Referrals()
    )
