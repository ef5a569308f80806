"""Residents of one town and their family-doctor contracts.

Ages follow the census age structure, chronic conditions the age-specific prevalence, and the
contract probability the priority-group flags; what later draws need is kept as a ``Cohort``
(NumPy columns, a few bytes per person).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from yigai.records.schema import table
from yigai.synth.arrow import dates, ids
from yigai.synth.config import SynthConfig, by_band
from yigai.synth.district import District, Layout, Town, month_start

NEVER = np.int32(2**31 - 1)  # death day of the living


@dataclass
class Cohort:
    town: Town
    district: District
    person_id: pa.Array
    age: np.ndarray
    female: np.ndarray
    resident: np.ndarray
    hypertension: np.ndarray
    diabetes: np.ndarray
    pregnant: np.ndarray
    contracted: np.ndarray
    death_day: np.ndarray  # days since 1970-01-01; NEVER for the living
    died_in_hospital: np.ndarray
    delivery_month: np.ndarray  # 1-12, 0 for none

    def __len__(self) -> int:
        return len(self.age)


def make_cohort(
    rng: np.random.Generator, town: Town, district: District, cfg: SynthConfig, year: int
) -> tuple[Cohort, pa.Table]:
    pop = cfg.rates["population"]
    n = int(round(town.population / pop["resident_share"]))
    bands = sorted(int(k) for k in pop["age_bands"])
    shares = np.array([float(pop["age_bands"][b]) for b in bands])
    band = rng.choice(len(bands), n, p=shares / shares.sum())
    lower = np.array(bands)[band]
    upper = np.append(np.array(bands[1:]), int(pop["oldest_age"]) + 1)[band]
    age = (lower + rng.random(n) * (upper - lower)).astype(np.int64)
    year_end = month_start(year + 1, 1) - 1
    birth = year_end - (age * 365.25).astype(np.int64) - rng.integers(0, 365, n)
    female = rng.random(n) >= pop["male_share"]
    resident = rng.random(n) < pop["resident_share"]
    registered = ~resident | (rng.random(n) < pop["registered_share_of_residents"])
    hypertension = rng.random(n) < by_band(pop["hypertension"], age)
    diabetes = rng.random(n) < by_band(pop["diabetes"], age)
    pregnant = female & (age >= 20) & (age < 45) & (rng.random(n) < pop["pregnant_share_of_women_20_44"])
    disability = rng.random(n) < pop["disability"]
    severe_mental = rng.random(n) < pop["severe_mental"]
    tuberculosis = rng.random(n) < pop["tuberculosis"]
    dies = rng.random(n) < by_band(pop["mortality"], age)
    death_day = np.where(
        dies, month_start(year, 1) + rng.integers(0, year_end - month_start(year, 1) + 1, n), NEVER
    ).astype(np.int64)
    died_in_hospital = dies & (rng.random(n) < pop["death_in_hospital_share"])
    deliver = pregnant & (rng.random(n) < cfg.rates["inpatient"]["delivery_share_of_pregnant"])
    delivery_month = np.where(deliver, rng.integers(1, 13, n), 0)
    priority = (age >= 65) | (age < 7) | pregnant | hypertension | diabetes | disability | severe_mental | tuberculosis
    c = cfg.rates["contracts"]
    p_contract = np.where(
        ~resident, c["nonresident_probability"], np.where(priority, c["priority_probability"], c["other_probability"])
    )
    contracted = rng.random(n) < p_contract
    person_id = ids(f"P{town.code}", np.arange(n), 7)
    cohort = Cohort(
        town=town,
        district=district,
        person_id=person_id,
        age=age.astype(np.int16),
        female=female,
        resident=resident,
        hypertension=hypertension,
        diabetes=diabetes,
        pregnant=pregnant,
        contracted=contracted,
        death_day=death_day.astype(np.int32),
        died_in_hospital=died_in_hospital,
        delivery_month=delivery_month.astype(np.int8),
    )  # small types: kept for the whole run
    schema = table("residents").arrow_schema()
    residents = pa.Table.from_arrays(
        [
            person_id,
            dates(birth),
            pa.array(np.where(female, "F", "M"), pa.string()),
            pa.array(registered),
            pa.array(resident),
            pa.array(np.full(n, town.code), pa.string()),
            pa.array(hypertension),
            pa.array(diabetes),
            pa.array(pregnant),
            pa.array(disability),
            pa.array(severe_mental),
            pa.array(tuberculosis),
            dates(death_day, mask=~dies),
        ],
        schema=schema,
    )
    return cohort, residents


def make_contracts(rng: np.random.Generator, cohort: Cohort, layout: Layout, cfg: SynthConfig, year: int) -> pa.Table:
    """One contract per contracted resident with a GP of the town's centre (1+1+1 hospitals mostly)."""
    c = cfg.rates["contracts"]
    who = np.flatnonzero(cohort.contracted)
    n = len(who)
    town = cohort.town
    inst_ids = layout.institutions.ids()
    gps = layout.centre_gps[town.centre]
    doctor_rows = gps[rng.integers(0, len(gps), n)]
    doctor = layout.staff.column("staff_id").combine_chunks().take(pa.array(doctor_rows))
    district = cohort.district
    district_hospitals = np.array(district.by_kind["general_hospital/secondary"] + district.by_kind["tcm_hospital"])
    city_hospitals = np.array(district.by_kind["general_hospital/tertiary"])
    dh = district_hospitals[rng.integers(0, len(district_hospitals), n)]
    ch = city_hospitals[rng.integers(0, len(city_hospitals), n)]
    year_start, year_end = month_start(year, 1), month_start(year + 1, 1) - 1
    q1 = month_start(year, 4) - year_start
    start = year_start + np.where(
        rng.random(n) < c["start_in_first_quarter"],
        rng.integers(0, q1, n),
        rng.integers(0, year_end - year_start + 1, n),
    )
    death = cohort.death_day[who]
    start = np.minimum(start, np.where(death < year_end, death, year_end))
    terminated = rng.random(n) < c["terminated_share"]
    end = np.where(terminated, start + ((year_end - start) * rng.random(n)).astype(np.int64), year_end)
    end = np.maximum(np.minimum(end, death), start)
    schema = table("family_doctor_contracts").arrow_schema()
    return pa.Table.from_arrays(
        [
            ids(f"F{town.code}", np.arange(n), 7),
            cohort.person_id.take(pa.array(who)),
            doctor,
            inst_ids.take(pa.array(np.full(n, town.centre))),
            inst_ids.take(pa.array(dh, mask=rng.random(n) >= c["with_district_hospital"])),
            inst_ids.take(pa.array(ch, mask=rng.random(n) >= c["with_city_hospital"])),
            dates(start),
            dates(end),
        ],
        schema=schema,
    )
