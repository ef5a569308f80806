"""One month of activity for one town (or the district's outside patients): outpatient visits,
inpatient discharges and the referrals they imply.

Counts are Poisson draws per person and month from age-banded rates; where a visit goes, its
diagnosis, cost and cost parts follow the model. Referrals are not drawn apart: an up referral is
a hospital visit booked by the family doctor (or a centre's transfer), a down referral a hospital
discharge to the community or a chronic patient sent back to the centre.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from yigai.records.schema import table
from yigai.synth.arrow import dates, ids, yuan
from yigai.synth.config import by_band, normalised
from yigai.synth.district import days_in_month, month_start
from yigai.synth.model import Model, pick, split_cost
from yigai.synth.population import Cohort

KINDS = ("child", "adult", "elder", "followup", "followup_diabetes", "prenatal")
STATUSES = ("ordered", "transfer", "transfer_primary", "against_advice", "other")
INSURANCE = ("employee", "resident", "none")


@dataclass
class Patients:
    """The patients of one draw: a cohort's residents or a pool of outside patients."""

    person_id: pa.Array
    age: np.ndarray
    female: np.ndarray
    contracted: np.ndarray
    chronic: np.ndarray
    hypertension: np.ndarray
    diabetes: np.ndarray
    centre: int  # the town's centre; -1 for outside patients


@dataclass
class Referrals:
    """Referral parts gathered during a month (assembled into one table per unit)."""

    person_id: list[pa.Array] = field(default_factory=list)
    from_inst: list[np.ndarray] = field(default_factory=list)
    to_inst: list[np.ndarray] = field(default_factory=list)
    up: list[np.ndarray] = field(default_factory=list)
    day: list[np.ndarray] = field(default_factory=list)
    booked: list[np.ndarray] = field(default_factory=list)

    def add(
        self, person_id: pa.Array, from_inst: np.ndarray, to_inst: np.ndarray, up: bool, day: np.ndarray, booked: bool
    ) -> None:
        n = len(day)
        if n:
            self.person_id.append(person_id)
            self.from_inst.append(from_inst)
            self.to_inst.append(to_inst)
            self.up.append(np.full(n, up))
            self.day.append(day)
            self.booked.append(np.full(n, booked))

    def table(self, model: Model, prefix: str) -> pa.Table:
        schema = table("referrals").arrow_schema()
        if not self.day:
            return schema.empty_table()
        day = np.concatenate(self.day)
        order = np.argsort(day, kind="stable")
        take = pa.array(order)
        return pa.Table.from_arrays(
            [
                ids(prefix, np.arange(len(day)), 6),
                pa.concat_arrays(self.person_id).take(take),
                model.ids.take(pa.array(np.concatenate(self.from_inst)[order])),
                model.ids.take(pa.array(np.concatenate(self.to_inst)[order])),
                pa.array(np.where(np.concatenate(self.up)[order], "up", "down"), pa.string()),
                dates(day[order]),
                pa.array(np.concatenate(self.booked)[order]),
            ],
            schema=schema,
        )


def patients_of(c: Cohort) -> Patients:
    return Patients(
        person_id=c.person_id,
        age=c.age,
        female=c.female,
        contracted=c.contracted,
        chronic=c.hypertension | c.diabetes,
        hypertension=c.hypertension,
        diabetes=c.diabetes,
        centre=c.town.centre,
    )


def outside_patients(rng: np.random.Generator, prefix: str, n: int, pool: int) -> Patients:
    """``n`` visits by patients from outside the district, drawn from a pool of ``pool`` people."""
    number = rng.integers(0, max(pool, 1), n)
    age = 15 + (number * 7919) % 75  # an outside person's age and sex are fixed by their number
    female = (number % 2) == 1
    none = np.zeros(n, dtype=bool)
    return Patients(
        person_id=ids(prefix, number, 7),
        age=age,
        female=female,
        contracted=none,
        chronic=none,
        hypertension=none,
        diabetes=none,
        centre=-1,
    )


def _diagnoses(
    rng: np.random.Generator, model: Model, group: np.ndarray, names: tuple[str, ...], primary: np.ndarray, prefix: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Global leaf index, department index and category per record, ``group`` indexing ``names``."""
    n = len(group)
    leaf = np.zeros(n, dtype=np.int64)
    dept = np.zeros(n, dtype=np.int64)
    cat = np.zeros(n, dtype=np.int64)
    tables = model.outpatient if prefix == "out" else model.inpatient
    for g, name in enumerate(names):
        mask = group == g
        k = int(mask.sum())
        if not k:
            continue
        t = tables[name]
        c, lf = t.draw(rng, k)
        cat[mask] = c
        leaf[mask] = lf + model.code_offset[f"{prefix}:{name}"]
        dept[mask] = np.where(primary[mask], t.primary_department[c], t.department[c])
    return leaf, dept, cat


def visits(
    rng: np.random.Generator,
    model: Model,
    p: Patients,
    person: np.ndarray,
    kind: np.ndarray,
    day: np.ndarray,
    routes_of: int,
    forced_hospital: bool,
    id_prefix: str,
    referrals: Referrals,
) -> tuple[pa.Table, np.ndarray]:
    """Visit rows for the given (person, kind, day) triples, and the institution index of each."""
    out = model.cfg.rates["outpatient"]
    n = len(person)
    order = np.argsort(day, kind="stable")
    person, kind, day = person[order], kind[order], day[order]
    contracted = p.contracted[person]
    if forced_hospital:
        primary = np.zeros(n, dtype=bool)
    else:
        # KINDS → primary_share keys: both kinds of follow-up share one rate
        share = np.array(
            [out["primary_share"][k] for k in ("child", "adult", "elder", "followup", "followup", "prenatal")]
        )
        primary = rng.random(n) < share[kind] + out["contracted_primary_bonus"] * contracted
    inst = np.zeros(n, dtype=np.int64)
    routes = model.routes[routes_of]
    if p.centre >= 0:
        from_town = model.town_outlets[p.centre]
        split = normalised(out["primary_split"], ["centre", "outpost", "clinic"])
        where = pick(np.cumsum(split), rng.random(n))
        outposts, clinics = np.array(from_town[0]), np.array(from_town[1])
        choice = np.where(
            where == 0,
            p.centre,
            np.where(
                where == 1, outposts[rng.integers(0, len(outposts), n)], clinics[rng.integers(0, len(clinics), n)]
            ),
        )
        inst[primary] = choice[primary]
    age, female = p.age[person], p.female[person]
    route = np.where(kind == 5, 3, np.where(kind == 0, 2, np.where(female & (age >= 15) & (age < 50), 1, 0)))
    u = rng.random(n)
    for r, name in enumerate(("adult", "woman", "child", "prenatal")):
        m = ~primary & (route == r)
        inst[m] = routes.hospitals[pick(routes.out_cum[name], u[m])]
    group = np.where(kind == 2, 1, np.where(kind > 2, kind - 1, kind))  # elder uses the adult list
    leaf, dept, _ = _diagnoses(
        rng, model, group, ("child", "adult", "followup", "followup_diabetes", "prenatal"), primary, "out"
    )
    premium = rng.random(n) < model.out_premium[inst]
    sigma = float(out["cost_sigma"])
    cost = np.exp(np.log(model.out_mean[inst]) - sigma**2 / 2 + sigma * rng.standard_normal(n)) * np.where(
        premium, 3, 1
    )
    total = np.maximum(np.round(cost * 100).astype(np.int64), 100)
    parts = split_cost(rng, total, model.out_alpha[model.out_setting[inst]])
    ooc_mean = np.where(primary, out["out_of_catalogue_share"]["primary"], out["out_of_catalogue_share"]["hospital"])
    ooc = np.minimum(np.round(total * ooc_mean * rng.exponential(1.0, n)).astype(np.int64), total)
    ratio = np.where(primary, out["fund_ratio"]["primary"], out["fund_ratio"]["hospital"])
    insured = rng.random(n) < out["insured_share"]
    fund = np.round((total - ooc) * ratio).astype(np.int64) * insured
    booked = ~primary & model.public[inst] & contracted & (rng.random(n) < out["booked_referral_share"])
    person_ids = p.person_id.take(pa.array(person))
    if p.centre >= 0:
        lead = rng.integers(0, 8, n)
        b = np.flatnonzero(booked)
        referrals.add(
            person_ids.take(pa.array(b)),
            np.full(len(b), p.centre),
            inst[b],
            True,
            np.maximum(day[b] - lead[b], year_start_of(day[b])),
            True,
        )
        down = np.flatnonzero(
            ~primary
            & p.chronic[person]
            & (rng.random(n) < model.cfg.rates["referrals"]["down_after_chronic_hospital_visit"])
        )
        referrals.add(
            person_ids.take(pa.array(down)), inst[down], np.full(len(down), p.centre), False, day[down], False
        )
    schema = table("outpatient_visits").arrow_schema()
    return pa.Table.from_arrays(
        [
            ids(id_prefix, np.arange(n), 7),
            person_ids,
            model.ids.take(pa.array(inst)),
            dates(day),
            model.departments.take(pa.array(dept)),
            model.diagnosis_codes.take(pa.array(leaf)),
            yuan(total),
            *(yuan(parts[:, k]) for k in range(7)),
            yuan(fund),
            yuan(ooc),
            pa.array(premium),
            pa.array(booked),
        ],
        schema=schema,
    ), inst


def weekday_cum(weights: list[float], start: int, days: int) -> np.ndarray:
    """Cumulative probability of each day of a month, weighted by its day of the week (Monday first)."""
    weekday = (np.arange(start, start + days) + 3) % 7  # 1970-01-01 was a Thursday
    w = np.array(weights, dtype=np.float64)[weekday]
    return np.cumsum(w) / w.sum()


def year_start_of(day: np.ndarray) -> np.ndarray:
    """1 January of the year of each day (a referral a few days before an early-January visit stays in the year)."""
    years = day.astype("datetime64[D]").astype("datetime64[Y]")
    return years.astype("datetime64[D]").astype(np.int64)


def resident_visits(
    rng: np.random.Generator, model: Model, c: Cohort, year: int, month: int, id_prefix: str, referrals: Referrals
) -> tuple[pa.Table, np.ndarray]:
    out = model.cfg.rates["outpatient"]
    factor = np.where(c.resident, 1.0, out["nonresident_factor"]) * float(out["month_factor"][month - 1])
    start, dim = month_start(year, month), days_in_month(year, month)
    counts = [
        rng.poisson(by_band(out["visits_per_year"], c.age) * factor / 12),
        rng.poisson(c.hypertension * out["chronic_followups_per_year"]["hypertension"] * factor / 12),
        rng.poisson(c.diabetes * out["chronic_followups_per_year"]["diabetes"] * factor / 12),
        rng.poisson(c.pregnant * (c.delivery_month >= month) * out["prenatal_visits_per_year"] / 12),
    ]
    general_kind = np.where(c.age < 15, 0, np.where(c.age < 60, 1, 2))
    person = np.concatenate([np.repeat(np.arange(len(c)), k) for k in counts])
    kind = np.concatenate(
        [
            np.repeat(general_kind, counts[0]),
            np.full(counts[1].sum(), 3),
            np.full(counts[2].sum(), 4),
            np.full(counts[3].sum(), 5),
        ]
    )
    day = start + pick(weekday_cum(out["weekday_weight"], start, dim), rng.random(len(person)))
    alive = day <= c.death_day[person]
    return visits(
        rng,
        model,
        patients_of(c),
        person[alive],
        kind[alive],
        day[alive],
        c.district.index,
        False,
        id_prefix,
        referrals,
    )


def outside_visits(
    rng: np.random.Generator, model: Model, district: int, p: Patients, year: int, month: int, id_prefix: str
) -> tuple[pa.Table, np.ndarray]:
    n = len(p.age)
    start = month_start(year, month)
    day = start + pick(
        weekday_cum(model.cfg.rates["outpatient"]["weekday_weight"], start, days_in_month(year, month)), rng.random(n)
    )
    return visits(rng, model, p, np.arange(n), np.ones(n, dtype=np.int64), day, district, True, id_prefix, Referrals())
