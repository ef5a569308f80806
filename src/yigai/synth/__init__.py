"""The synthetic district: realistic operational records (residents, institutions, staff, visits,
discharges, contracts, referrals, drug purchases) generated from rates kept as data
(``data/synth/*.yaml``) and streamed to Parquet with bounded memory. See docs/synthetic.md."""

from yigai.synth.config import PRESETS, SynthConfig, load_config
from yigai.synth.errors import SynthError
from yigai.synth.generate import GenerationResult, generate

__all__ = ["PRESETS", "GenerationResult", "SynthConfig", "SynthError", "generate", "load_config"]
