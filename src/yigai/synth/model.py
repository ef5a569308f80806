"""What the activity draws need, computed once per run: per-institution cost and share parameters,
per-district hospital choice by route, and the diagnosis and procedure tables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from yigai.synth.config import SynthConfig, normalised
from yigai.synth.district import HOSPITAL_KINDS, District, Layout
from yigai.synth.icd import ROUTES, CategoryTable, ProcedureTable, category_table, procedure_table

PARTS = ("drug", "herbal", "consumables", "exam", "lab", "service", "other")
OUT_SETTINGS = ("hospital", "tcm", "primary")
IN_SETTINGS = ("medical", "surgical", "tcm")
OUT_ROUTES = ("adult", "woman", "child", "prenatal")
CENTRE = -1  # route target meaning "the patient's own community or township centre"


def _cum(p: np.ndarray) -> np.ndarray:
    c = np.cumsum(p)
    return c / c[-1] if c[-1] > 0 else c


@dataclass
class DistrictRoutes:
    hospitals: np.ndarray  # institution indices; CENTRE may appear in inpatient targets
    out_cum: dict[str, np.ndarray]  # outpatient route → cumulative probability over ``hospitals``
    in_targets: dict[str, np.ndarray]  # inpatient route → targets (institution index or CENTRE)
    in_cum: dict[str, np.ndarray]
    in_cum_outside: dict[str, np.ndarray]  # the same without the centre (patients from outside)


@dataclass
class Model:
    cfg: SynthConfig
    ids: pa.Array
    primary: np.ndarray
    public: np.ndarray
    out_mean: np.ndarray
    out_setting: np.ndarray
    out_premium: np.ndarray
    in_cost_factor: np.ndarray
    in_los_factor: np.ndarray
    tcm: np.ndarray
    tertiary: np.ndarray
    out_alpha: np.ndarray  # [setting, part] Dirichlet parameters
    in_alpha: np.ndarray
    outpatient: dict[str, CategoryTable]
    inpatient: dict[str, CategoryTable]
    procedures: dict[str, ProcedureTable]
    proc_codes: pa.Array
    proc_surgery: np.ndarray  # per procedure in ``proc_codes``: an operation
    proc_mi: np.ndarray  # per procedure: minimally invasive
    diagnosis_codes: pa.Array  # all tables' leaves, each table at ``code_offset[name]``
    code_offset: dict[str, int]
    departments: pa.Array
    routes: dict[int, DistrictRoutes]  # by district index
    town_outlets: dict[int, tuple[list[int], list[int]]]  # centre → (stations or village clinics, clinics)


def _alpha(shares: dict[str, dict[str, float]], settings: tuple[str, ...], concentration: float) -> np.ndarray:
    return np.array([normalised(shares[s], list(PARTS)) * concentration for s in settings])


def _routes(district: District, cfg: SynthConfig) -> DistrictRoutes:
    hospitals: list[int] = []
    weight_of: dict[int, str] = {}
    for kind in HOSPITAL_KINDS:
        for i in district.by_kind.get(kind, []):
            hospitals.append(i)
            weight_of[i] = kind
    counts = {k: len(district.by_kind.get(k, [])) for k in HOSPITAL_KINDS}

    def vector(weights: dict[str, float], targets: list[int]) -> np.ndarray:
        w = [
            float(weights.get("centre", 0.0))
            if t == CENTRE
            else float(weights.get(weight_of[t], 0.0)) / counts[weight_of[t]]
            for t in targets
        ]
        return _cum(np.array(w))

    out_cum = {r: vector(cfg.rates["outpatient_routes"][r], hospitals) for r in OUT_ROUTES}
    targets = np.array([*hospitals, CENTRE])
    in_targets = {r: targets for r in ROUTES}
    in_cum = {r: vector(cfg.rates["inpatient"]["routes"][r], list(targets)) for r in ROUTES}
    outside = {}
    for r in ROUTES:
        w = np.diff(np.concatenate([[0.0], in_cum[r]]))
        w[-1] = 0.0
        outside[r] = _cum(w)
    return DistrictRoutes(
        hospitals=np.array(hospitals), out_cum=out_cum, in_targets=in_targets, in_cum=in_cum, in_cum_outside=outside
    )


def _drg_listed() -> frozenset[str]:
    """Principal diagnoses the national DRG scheme lists: a hospital coder's usual choices, so the
    synthetic stays group as a real district's do (a stay is still coded from its category)."""
    from yigai.payment.chs_drg import ChsPack
    from yigai.payment.drg import load_pack

    pack = load_pack()
    return pack.listed_principal if isinstance(pack, ChsPack) else frozenset()


def build_model(layout: Layout, cfg: SynthConfig) -> Model:
    inst = layout.institutions
    out, inp = cfg.rates["outpatient"], cfg.rates["inpatient"]
    primary = inst.is_primary()
    tcm = np.array([k == "tcm_hospital" for k in inst.kind])
    departments: list[str] = []
    default = str(cfg.vocabulary["primary_department"])
    departments.append(default)
    outpatient = {g: category_table(e, departments, default) for g, e in cfg.diagnoses["outpatient"].items()}
    listed = _drg_listed()
    inpatient = {
        g: category_table(e, departments, default, listed.__contains__) for g, e in cfg.diagnoses["inpatient"].items()
    }
    procedures = {g: procedure_table(t.entries) for g, t in inpatient.items()}
    offsets: dict[str, int] = {}
    chunks: list[pa.Array] = []
    at = 0
    for name, t in [*(("out:" + g, t) for g, t in outpatient.items()), *(("in:" + g, t) for g, t in inpatient.items())]:
        offsets[name] = at
        chunks.append(t.codes)
        at += len(t.codes)
    proc_codes: list[str] = []
    proc_surgery: list[bool] = []
    proc_mi: list[bool] = []
    for g, p in procedures.items():
        offsets["proc:" + g] = len(proc_codes)
        proc_codes += p.codes
        proc_surgery += [bool(x) for x in p.surgery[: len(p.codes)]]
        proc_mi += [bool(x) for x in p.mi[: len(p.codes)]]
    setting = np.where(primary, 2, np.where(tcm, 1, 0))
    return Model(
        cfg=cfg,
        ids=inst.ids(),
        primary=primary,
        public=inst.is_public(),
        out_mean=inst.kind_array(out["mean_cost"], 100.0),
        out_setting=setting,
        out_premium=np.array(
            [
                float(out["premium_share"].get(k.split("/")[0], 0.0)) if k.endswith("tertiary") else 0.0
                for k in inst.kind
            ]
        ),
        in_cost_factor=inst.kind_array(inp["cost_factor"], 0.5),
        in_los_factor=inst.kind_array(inp["los_factor"], 1.0),
        tcm=tcm,
        tertiary=np.array([k.endswith("tertiary") for k in inst.kind]),
        out_alpha=_alpha(out["shares"], OUT_SETTINGS, out["share_concentration"]),
        in_alpha=_alpha(inp["shares"], IN_SETTINGS, inp["share_concentration"]),
        outpatient=outpatient,
        inpatient=inpatient,
        procedures=procedures,
        proc_codes=pa.array(proc_codes or [""], pa.string()),
        proc_surgery=np.array(proc_surgery or [False]),
        proc_mi=np.array(proc_mi or [False]),
        diagnosis_codes=pa.concat_arrays(chunks),
        code_offset=offsets,
        departments=pa.array(departments, pa.string()),
        routes={d.index: _routes(d, cfg) for d in layout.districts},
        town_outlets={t.centre: (t.outposts, t.clinics) for d in layout.districts for t in d.towns},
    )


def pick(cum: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index drawn from a cumulative probability vector for each uniform ``u``."""
    return np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)


def split_cost(rng: np.random.Generator, total_cents: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Cents of each part (columns in PARTS order); the last part takes the rounding, so rows sum exactly."""
    g = rng.standard_gamma(alpha)
    shares = g / g.sum(axis=1, keepdims=True)
    parts = np.floor(total_cents[:, None] * shares[:, :-1]).astype(np.int64)
    return np.column_stack([parts, total_cents - parts.sum(axis=1)])
