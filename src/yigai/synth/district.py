"""Towns, institutions and staff of the synthetic district(s): the small snapshot tables.

Beds follow the per-1,000 rate split by kind of institution; staff follow bed and expected visit
volume, scaled to the per-1,000 rates; general practitioners sit mostly in the community and
township centres, which sign the family-doctor contracts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from yigai.records.schema import table
from yigai.synth.config import Preset, SynthConfig, normalised

HOSPITAL_KINDS = (
    "general_hospital/tertiary",
    "general_hospital/secondary",
    "general_hospital/primary",
    "tcm_hospital",
    "specialist_hospital",
    "maternal_child",
)
PRIMARY_TYPES = frozenset({"chc", "township_hc", "chs_station", "village_clinic", "clinic"})
# per district: kind → how many (names come from vocabulary.yaml)
DISTRICT_INSTITUTIONS = {
    "general_hospital/tertiary": 1,
    "general_hospital/secondary": 2,
    "general_hospital/primary": 1,
    "tcm_hospital": 1,
    "specialist_hospital": 1,
    "maternal_child": 1,
    "public_health": 2,
}
LEVEL = {
    "general_hospital/tertiary": "tertiary",
    "general_hospital/secondary": "secondary",
    "general_hospital/primary": "primary",
    "tcm_hospital": "secondary",
    "specialist_hospital": "secondary",
    "maternal_child": "secondary",
    "chc": "primary",
    "township_hc": "primary",
}
PRIVATE = frozenset({"general_hospital/primary", "clinic"})


@dataclass
class Town:
    index: int  # global, 0-based
    code: str
    name: str
    township: bool
    population: int  # 常住 residents
    centre: int = -1  # institution index of the community (township) centre
    outposts: list[int] = field(default_factory=list)  # stations or village clinics
    clinics: list[int] = field(default_factory=list)


@dataclass
class District:
    index: int
    code: str
    name: str
    towns: list[Town]
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # hospital kind → institution indices

    @property
    def population(self) -> int:
        return sum(t.population for t in self.towns)


@dataclass
class Institutions:
    """The institution table as columns, plus what the generator needs per institution."""

    rows: dict[str, list[Any]]
    kind: list[str]  # type, or type/level for general hospitals

    def __len__(self) -> int:
        return len(self.kind)

    def ids(self) -> pa.Array:
        return pa.array(self.rows["institution_id"], pa.string())

    def kind_array(self, mapping: dict[str, float], default: float = 0.0) -> np.ndarray:
        return np.array([float(mapping.get(k, mapping.get(k.split("/")[0], default))) for k in self.kind])

    def is_primary(self) -> np.ndarray:
        return np.array([k in PRIMARY_TYPES for k in self.kind])

    def is_public(self) -> np.ndarray:
        return np.array([o == "public" for o in self.rows["ownership"]])

    def open_beds(self) -> np.ndarray:
        return np.array(self.rows["open_beds"], dtype=np.int64)


@dataclass
class Layout:
    districts: list[District]
    institutions: Institutions
    staff: pa.Table
    towns: pa.Table
    centre_gps: dict[int, np.ndarray]  # centre institution index → row indices of its GPs in ``staff``


def _day(year: int, month: int = 1, day: int = 1) -> int:
    return int(np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D").astype(np.int64))


def build_towns(preset: Preset, cfg: SynthConfig, rng: np.random.Generator) -> list[District]:
    vocab = cfg.vocabulary
    roots = list(vocab["town_roots"])
    every = int(vocab["township_every"])
    districts: list[District] = []
    per_district = preset.population / preset.districts
    for d in range(preset.districts):
        meta = vocab["districts"][d]
        n = preset.towns_per_district
        weights = rng.uniform(0.6, 1.4, n)
        sizes = np.floor(per_district * weights / weights.sum()).astype(np.int64)
        sizes[0] += int(round(per_district)) - int(sizes.sum())
        towns = []
        for k in range(n):
            gi = d * n + k
            township = (k + 1) % every == 0
            suffix = vocab["township_suffix"] if township else vocab["street_suffix"]
            towns.append(
                Town(
                    index=gi,
                    code=f"{meta['code']}{k + 1:03d}",
                    name=f"{roots[gi]}{suffix}",
                    township=township,
                    population=int(sizes[k]),
                )
            )
        districts.append(District(index=d, code=str(meta["code"]), name=str(meta["name"]), towns=towns))
    return districts


def _name(cfg: SynthConfig, kind: str, nth: int, district: District, town: Town | None, n: int = 0) -> str:
    template = cfg.vocabulary["names"][kind]
    if isinstance(template, list):
        template = template[nth % len(template)]
    return str(template).format(district=district.name, town=town.name if town else "", n=n)


def build_institutions(
    districts: list[District], cfg: SynthConfig, year: int, rng: np.random.Generator
) -> Institutions:
    res = cfg.rates["resources"]
    rows: dict[str, list[Any]] = {c: [] for c in table("institutions").names}
    kinds: list[str] = []

    def add(district: District, kind: str, name: str, town: Town, beds: int) -> int:
        idx = len(kinds)
        kinds.append(kind)
        approved = int(round(beds * rng.uniform(*res["approved_over_open"])))
        rows["institution_id"].append(f"I{district.code}{idx + 1:05d}")
        rows["name"].append(name)
        rows["type"].append(kind.split("/")[0])
        rows["level"].append(LEVEL.get(kind, "unrated"))
        rows["ownership"].append("private" if kind in PRIVATE else "public")
        rows["town_code"].append(town.code)
        rows["approved_beds"].append(approved)
        rows["open_beds"].append(int(beds))
        rows["open_date"].append(_day(year) - int(rng.integers(365, 365 * 40)))
        rows["close_date"].append(None)
        return idx

    for district in districts:
        pop = district.population
        present = [
            *HOSPITAL_KINDS,
            "chc" if any(not t.township for t in district.towns) else "",
            "township_hc" if any(t.township for t in district.towns) else "",
        ]
        shares = normalised(res["bed_share"], [k for k in present if k])
        bed_share = dict(zip([k for k in present if k], shares, strict=True))
        total_beds = res["beds_per_1000"] * pop / 1000
        seat = district.towns[0]  # the hospitals stand in the first (central) street
        for kind, count in DISTRICT_INSTITUTIONS.items():
            for nth in range(count):
                beds = int(round(total_beds * bed_share.get(kind, 0.0) / count))
                town = district.towns[(nth * 3) % len(district.towns)] if kind == "general_hospital/secondary" else seat
                district.by_kind.setdefault(kind, []).append(
                    add(district, kind, _name(cfg, kind, nth, district, None), town, beds)
                )
        street_pop = sum(t.population for t in district.towns if not t.township) or 1
        township_pop = sum(t.population for t in district.towns if t.township) or 1
        for town in district.towns:
            kind = "township_hc" if town.township else "chc"
            kind_pop = township_pop if town.township else street_pop
            beds = int(round(total_beds * bed_share.get(kind, 0.0) * town.population / kind_pop))
            town.centre = add(district, kind, _name(cfg, kind, 0, district, town), town, beds)
            outpost = "village_clinic" if town.township else "chs_station"
            n_out = max(1, int(round(res["outposts_per_10000"][outpost] * town.population / 10000)))
            town.outposts = [
                add(district, outpost, _name(cfg, outpost, 0, district, town, k + 1), town, 0) for k in range(n_out)
            ]
            n_cl = max(1, int(round(res["clinics_per_10000"] * town.population / 10000)))
            town.clinics = [
                add(district, "clinic", _name(cfg, "clinic", 0, district, town, k + 1), town, 0) for k in range(n_cl)
            ]
    return Institutions(rows=rows, kind=kinds)


def expected_visits(districts: list[District], inst: Institutions, cfg: SynthConfig) -> np.ndarray:
    """Rough yearly outpatient visits per institution, to size its staff (the draws come later)."""
    out = cfg.rates["outpatient"]
    per_capita = float(cfg.rates["resources"]["expected_visits_per_capita"])
    primary_share = float(cfg.rates["resources"]["expected_primary_share"])
    split = out["primary_split"]
    visits = np.zeros(len(inst))
    mix = cfg.rates["resources"]["expected_route_mix"]
    routes = cfg.rates["outpatient_routes"]
    route = {
        k: sum(float(mix[r]) * float(routes[r].get(k, 0.0)) / sum(routes[r].values()) for r in mix)
        for k in HOSPITAL_KINDS
    }
    for district in districts:
        hospital_total = (
            district.population * per_capita * (1 - primary_share) / (1 - out["outside_share_of_hospital_visits"])
        )
        kinds = [k for k in HOSPITAL_KINDS if district.by_kind.get(k)]
        for kind, share in zip(kinds, normalised(route, kinds), strict=True):
            for i in district.by_kind[kind]:
                visits[i] = hospital_total * share / len(district.by_kind[kind])
        for town in district.towns:
            primary = town.population * per_capita * primary_share
            visits[town.centre] = primary * split["centre"]
            for i in town.outposts:
                visits[i] = primary * split["outpost"] / len(town.outposts)
            for i in town.clinics:
                visits[i] = primary * split["clinic"] / len(town.clinics)
    return visits


def _allocate(raw: np.ndarray, total: float, minimum: np.ndarray) -> np.ndarray:
    """Integers ∝ raw summing to about ``total``, each at least ``minimum``."""
    scaled = raw * (total / raw.sum()) if raw.sum() > 0 else raw
    return np.maximum(np.round(scaled).astype(np.int64), minimum)


def build_staff(
    districts: list[District], inst: Institutions, cfg: SynthConfig, year: int, rng: np.random.Generator
) -> tuple[pa.Table, dict[int, np.ndarray]]:
    res = cfg.rates["resources"]
    pop = sum(d.population for d in districts)
    visits = expected_visits(districts, inst, cfg)
    beds = inst.open_beds().astype(np.float64)
    primary = inst.is_primary()
    ph = np.array([k == "public_health" for k in inst.kind])
    clinical = ~ph
    doctors = _allocate(
        visits / res["visits_per_doctor"] + beds * res["doctors_per_bed"],
        res["doctors_per_1000"] * pop / 1000,
        clinical.astype(np.int64),
    )
    nurses = _allocate(
        visits / res["visits_per_nurse"] + beds * res["nurses_per_bed"],
        res["nurses_per_1000"] * pop / 1000,
        np.zeros(len(inst), dtype=np.int64),
    )
    big = np.array([k not in ("village_clinic", "clinic", "chs_station", "public_health") for k in inst.kind])
    pharmacists = _allocate(doctors * big, res["pharmacists_per_1000"] * pop / 1000, np.zeros(len(inst), np.int64))
    technicians = _allocate(doctors * big, res["technicians_per_1000"] * pop / 1000, np.zeros(len(inst), np.int64))
    centres = np.array([k in ("chc", "township_hc") for k in inst.kind])
    public_health = _allocate(
        ph * 4.0 + centres * 1.0, res["public_health_per_1000"] * pop / 1000, np.zeros(len(inst), np.int64)
    )
    other = _allocate(
        (doctors + nurses) * (~primary | centres) + ph * 3.0,
        res["other_per_1000"] * pop / 1000,
        np.zeros(len(inst), np.int64),
    )
    # general practitioners: three quarters in the centres (∝ population), the rest in outposts
    gp_target = res["gps_per_10000"] * pop / 10000
    gps = np.zeros(len(inst), dtype=np.int64)
    outposts: list[int] = []
    for district in districts:
        for town in district.towns:
            gps[town.centre] = max(1, int(round(0.75 * gp_target * town.population / pop)))
            outposts += town.outposts
    rest = int(round(gp_target)) - int(gps.sum())
    if rest > 0 and outposts:
        np.add.at(gps, rng.choice(np.array(outposts), rest), 1)
    doctors = np.maximum(doctors, gps + centres * 2)

    titles = list(res["title_shares"])
    title_p = normalised(res["title_shares"], titles)
    ids = inst.rows["institution_id"]
    cols: dict[str, list[Any]] = {c: [] for c in table("staff").names}
    centre_gps: dict[int, list[int]] = {}
    start0 = _day(year)
    for i in range(len(inst)):
        cats = (
            ["physician"] * int(doctors[i])
            + ["nurse"] * int(nurses[i])
            + ["pharmacist"] * int(pharmacists[i])
            + ["technician"] * int(technicians[i])
            + ["public_health"] * int(public_health[i])
            + ["other"] * int(other[i])
        )
        n = len(cats)
        assistant = rng.random(n) < res["assistant_share"]["primary" if primary[i] else "hospital"]
        title = rng.choice(len(titles), n, p=title_p)
        start = start0 - rng.integers(30, 365 * 30, n)
        leaves = rng.random(n) < 0.02
        leave_day = start0 + rng.integers(0, 365, n)
        for k, cat in enumerate(cats):
            is_gp = cat == "physician" and k < gps[i]
            category = "assistant_physician" if cat == "physician" and assistant[k] and not is_gp else cat
            gone = bool(leaves[k]) and not is_gp
            if is_gp and centres[i]:
                centre_gps.setdefault(i, []).append(len(cols["staff_id"]))
            cols["staff_id"].append(f"S{ids[i][1:]}{k + 1:04d}")
            cols["institution_id"].append(ids[i])
            cols["category"].append(category)
            cols["general_practitioner"].append(is_gp)
            cols["title_level"].append(titles[title[k]])
            cols["start_date"].append(int(start[k]))
            cols["end_date"].append(int(leave_day[k]) if gone else None)
    staff = _table("staff", cols)
    return staff, {i: np.array(v, dtype=np.int64) for i, v in centre_gps.items()}


def _table(name: str, cols: dict[str, list[Any]]) -> pa.Table:
    schema = table(name).arrow_schema()
    arrays = []
    for f in schema:
        values = cols[f.name]
        if pa.types.is_date32(f.type):
            arrays.append(pa.array(values, pa.int32()).cast(pa.date32()))
        else:
            arrays.append(pa.array(values, f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def build_layout(preset: Preset, cfg: SynthConfig, year: int, rng: np.random.Generator) -> Layout:
    districts = build_towns(preset, cfg, rng)
    inst = build_institutions(districts, cfg, year, rng)
    staff, centre_gps = build_staff(districts, inst, cfg, year, rng)
    towns: dict[str, list[Any]] = {c: [] for c in table("towns").names}
    for d in districts:
        for t in d.towns:
            towns["town_code"].append(t.code)
            towns["town_name"].append(t.name)
            towns["district_code"].append(d.code)
            towns["district_name"].append(d.name)
    return Layout(
        districts=districts, institutions=inst, staff=staff, towns=_table("towns", towns), centre_gps=centre_gps
    )


def institutions_table(inst: Institutions) -> pa.Table:
    return _table("institutions", inst.rows)


def days_in_month(year: int, month: int) -> int:
    nxt = _day(year + (month == 12), month % 12 + 1)
    return nxt - _day(year, month)


def month_start(year: int, month: int) -> int:
    """Days since 1970-01-01 of the first of the month."""
    return _day(year, month)
