"""Arrow column builders shared by the generators: ids, dates, cents."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``numbers`` as a string column."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Days since 1970-01-01 as a date32 column; ``mask`` marks nulls."""
    values = np.asarray(days)
    if mask is not None:
        values = np.where(mask, 0, values)
    return pa.array(values.astype(np.int32), pa.int32(), mask=mask).cast(pa.date32())


def yuan(cents: np.ndarray) -> pa.Array:
    """Whole cents as yuan (float64): cents are exact, so sums of parts equal totals to the cent."""
    return pa.array(np.asarray(cents, dtype=np.int64) / 100.0, pa.float64())
