"""The generator's rates, presets and vocabularies, read from ``data/synth/*.yaml``.

Rates are data so that each figure carries its source and can be changed without touching code;
this module only reads them and turns age-banded tables into lookups.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from yigai.data import data_path

RATES_FILE = "synth/rates.yaml"
DIAGNOSES_FILE = "synth/diagnoses.yaml"
VOCABULARY_FILE = "synth/vocabulary.yaml"


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    population: int  # 常住 residents, all districts together
    districts: int
    towns_per_district: int


@dataclass(frozen=True, slots=True)
class SynthConfig:
    rates: dict[str, Any]
    diagnoses: dict[str, Any]
    vocabulary: dict[str, Any]

    @property
    def presets(self) -> dict[str, Preset]:
        return {
            name: Preset(
                name=name,
                population=int(p["population"]),
                districts=int(p["districts"]),
                towns_per_district=int(p["towns_per_district"]),
            )
            for name, p in self.rates["presets"].items()
        }

    @property
    def checks(self) -> dict[str, tuple[float, float]]:
        """The documented ranges of the key rates (docs/synthetic.md)."""
        return {k: (float(lo), float(hi)) for k, (lo, hi) in self.rates["checks"].items()}


def _read(name: str) -> dict[str, Any]:
    data = yaml.safe_load(data_path(name).read_text(encoding="utf-8"))
    assert isinstance(data, dict), name
    return data


@functools.cache
def load_config() -> SynthConfig:
    return SynthConfig(rates=_read(RATES_FILE), diagnoses=_read(DIAGNOSES_FILE), vocabulary=_read(VOCABULARY_FILE))


PRESETS: tuple[str, ...] = ("small", "district", "city")


def by_band(table: dict[Any, float], ages: np.ndarray) -> np.ndarray:
    """Look a value up by age band: ``{0: a, 15: b, 45: c}`` gives a below 15, b from 15 to 44, c from 45."""
    bounds = np.array(sorted(int(k) for k in table), dtype=np.int64)
    values = np.array([float(table[k]) for k in sorted(table, key=int)], dtype=np.float64)
    return values[np.searchsorted(bounds, ages, side="right") - 1]


def normalised(weights: dict[str, float], keys: list[str]) -> np.ndarray:
    """Weights of ``keys`` (missing ones weigh 0), summing to 1."""
    w = np.array([float(weights.get(k, 0.0)) for k in keys], dtype=np.float64)
    total = w.sum()
    return w / total if total > 0 else w
