"""The shipped 医保版 code lists, loaded once (the rule itself lives in :mod:`yigai.domain.codes`).

The package data is converted from the national tables by ``scripts/convert_reference.py``;
provenance and licence are in ``yigai/data/codes/NOTICE.md``.
"""

from __future__ import annotations

import functools
import gzip
import json

from yigai.data import data_path
from yigai.domain.codes import CodeBook

CODES_FILE = "codes/chs-icd-2.0.json.gz"


@functools.cache
def codebook() -> CodeBook:
    """医保版 ICD-10 v2.0 and ICD-9-CM-3 v2.0 with 灰码 and crosswalks (about 0.3 s the first time)."""
    with gzip.open(data_path(CODES_FILE), "rt", encoding="utf-8") as fh:
        return CodeBook.build(json.load(fh))
