"""``generate``: the whole synthetic district, streamed to Parquet town by town and month by month.

Every draw comes from its own generator, seeded from ``SeedSequence(seed, spawn_key=(stream,
month, unit))``: the results of a (month, town) unit do not depend on how many units came before
or how the output is chunked, and the same preset, year and seed give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.random import PCG64, Generator, SeedSequence

from yigai import __version__
from yigai.data import data_path
from yigai.synth.activity import Referrals, outside_patients, outside_visits, patients_of, resident_visits
from yigai.synth.config import DIAGNOSES_FILE, RATES_FILE, VOCABULARY_FILE, SynthConfig, load_config
from yigai.synth.district import build_layout, institutions_table
from yigai.synth.errors import SynthError
from yigai.synth.inpatient import outside_discharges, resident_discharges
from yigai.synth.model import build_model
from yigai.synth.population import make_cohort, make_contracts
from yigai.synth.purchases import purchases
from yigai.synth.sink import ROW_GROUP, LakeOutput, Output

Progress = Callable[[int, int, str], None]  # (done, total, what)
MIN_YEAR, MAX_YEAR = 2000, 2100
# random streams (the first element of each spawn key)
LAYOUT, COHORT, CONTRACTS, VISITS, DISCHARGES, OUTSIDE_VISITS, OUTSIDE_CASES, PURCHASES = range(8)
OUTSIDE_UNIT = 900  # id block of a district's outside patients (towns use 0–899)


@dataclass(frozen=True)
class GenerationResult:
    out: Path
    rows: dict[str, int]
    residents: int  # 常住 residents


def _rng(seed: int, *key: int) -> Generator:
    return Generator(PCG64(SeedSequence(seed, spawn_key=key)))


def _check(cfg: SynthConfig, preset: str, year: int, seed: int) -> None:
    if preset not in cfg.presets:
        raise SynthError(
            f"unknown preset {preset!r}; presets: {', '.join(cfg.presets)}",
            message_zh=f"没有预设 {preset}（可选：{'、'.join(cfg.presets)}）",
            where="--preset",
        )
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise SynthError(f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}", message_zh="年份超出范围", where="--year")
    if seed < 0:
        raise SynthError("the seed must be a non-negative integer", message_zh="随机种子须为非负整数", where="--seed")


def manifest(cfg: SynthConfig, preset: str, year: int, seed: int, rows: dict[str, int], residents: int) -> str:
    """Deterministic run description: no timestamps, keys sorted."""
    files = {
        name: hashlib.sha256(data_path(name).read_bytes()).hexdigest()
        for name in (RATES_FILE, DIAGNOSES_FILE, VOCABULARY_FILE)
    }
    body = {
        "generator": "yigai synth",
        "yigai_version": __version__,
        "preset": preset,
        "year": year,
        "seed": seed,
        "residents": residents,
        "rows": rows,
        "data_files_sha256": files,
        "rates": cfg.rates,
    }
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def generate(
    preset: str,
    year: int,
    seed: int,
    out: Path,
    *,
    row_group: int = ROW_GROUP,
    overwrite: bool = False,
    lake: bool = False,
    progress: Progress | None = None,
) -> GenerationResult:
    """Generate ``preset`` for ``year`` into ``out``: one Parquet file per record table and manifest.json,
    or, with ``lake``, the record-lake layout (``yigai.records.lake``) Spark reads."""
    cfg = load_config()
    _check(cfg, preset, year, seed)
    report = progress or (lambda done, total, what: None)
    layout = build_layout(cfg.presets[preset], cfg, year, _rng(seed, LAYOUT))
    model = build_model(layout, cfg)
    towns = [(d, t) for d in layout.districts for t in d.towns]
    steps = len(towns) * 13 + 12
    done = 0
    sink = LakeOutput if lake else Output
    with sink(out, row_group=row_group, overwrite=overwrite) as output:
        output.write("towns", layout.towns)
        output.write("institutions", institutions_table(layout.institutions))
        output.write("staff", layout.staff)
        cohorts = []
        for district, town in towns:
            cohort, residents = make_cohort(_rng(seed, COHORT, town.index), town, district, cfg, year)
            output.write("residents", residents)
            output.write(
                "family_doctor_contracts", make_contracts(_rng(seed, CONTRACTS, town.index), cohort, layout, cfg, year)
            )
            cohorts.append(cohort)
            done += 1
            report(done, steps, f"residents {town.name}")
        n_inst = len(layout.institutions)
        beds = layout.institutions.open_beds().astype(np.float64)
        out_rates, in_rates = cfg.rates["outpatient"], cfg.rates["inpatient"]
        for month in range(1, 13):
            visits_at = np.zeros(n_inst)
            for district in layout.districts:
                hospital_visits = hospital_cases = 0
                for cohort in (c for c in cohorts if c.district is district):
                    unit = f"{year:04d}{month:02d}{cohort.town.index:03d}"
                    referrals = Referrals()
                    table, inst = resident_visits(
                        _rng(seed, VISITS, month, cohort.town.index), model, cohort, year, month, f"V{unit}", referrals
                    )
                    output.write("outpatient_visits", table)
                    visits_at += np.bincount(inst, minlength=n_inst)
                    hospital_visits += int((~model.primary[inst]).sum())
                    table, inst = resident_discharges(
                        _rng(seed, DISCHARGES, month, cohort.town.index),
                        model,
                        cohort,
                        patients_of(cohort),
                        year,
                        month,
                        f"C{unit}",
                        referrals,
                    )
                    output.write("inpatient_discharges", table)
                    hospital_cases += int((~model.primary[inst]).sum())
                    output.write("referrals", referrals.table(model, f"R{unit}"))
                    done += 1
                    report(done, steps, f"{year}-{month:02d} {cohort.town.name}")
                unit = f"{year:04d}{month:02d}{OUTSIDE_UNIT + district.index:03d}"
                rng = _rng(seed, OUTSIDE_VISITS, month, district.index)
                share = out_rates["outside_share_of_hospital_visits"]
                n = int(rng.poisson(hospital_visits * share / (1 - share)))
                pool = outside_patients(rng, f"X{district.code}", n, district.population // 2)
                table, inst = outside_visits(rng, model, district.index, pool, year, month, f"V{unit}")
                output.write("outpatient_visits", table)
                visits_at += np.bincount(inst, minlength=n_inst)
                rng = _rng(seed, OUTSIDE_CASES, month, district.index)
                share = in_rates["outside_share_of_hospital_cases"]
                n = int(rng.poisson(hospital_cases * share / (1 - share)))
                pool = outside_patients(rng, f"X{district.code}", n, district.population // 2)
                table, _ = outside_discharges(rng, model, district.index, pool, year, month, f"C{unit}")
                output.write("inpatient_discharges", table)
            output.write(
                "drug_purchases", purchases(_rng(seed, PURCHASES, month), cfg, model.ids, visits_at, beds, year, month)
            )
            done += 1
            report(done, steps, f"{year}-{month:02d} drug purchases")
        rows = output.rows()
        residents = int(sum(c.resident.sum() for c in cohorts))
        output.publish(manifest(cfg, preset, year, seed, rows, residents))
    return GenerationResult(out=out, rows=rows, residents=residents)
