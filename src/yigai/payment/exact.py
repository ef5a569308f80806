"""Correctly rounded grouped sums over NumPy arrays: ``math.fsum`` per group, without a Python loop per value.

The reference DIP engine sums with :func:`math.fsum` (the exact sum, rounded once), so its totals
do not depend on record order. The columnar engine must give the same floats. Each double is an
integer mantissa times a power of two; written in 24-bit limbs against the smallest exponent
present, every value becomes a handful of small integers, and ``np.bincount`` adds those per
(group, limb) exactly (every partial sum stays below 2**53). Each group's limbs are then joined
as one Python integer and divided by the power of two, which Python rounds correctly — the same
float ``math.fsum`` returns.
"""

from __future__ import annotations

import math

import numpy as np

LIMB_BITS = 24
_MASK = (1 << LIMB_BITS) - 1
MAX_VALUES = 1 << 26   # 6 limb parts × 2**24 × this stays below 2**53


def exact_sums(values: np.ndarray, keys: np.ndarray, n_keys: int) -> list[float]:
    """``[math.fsum(values[keys == k]) for k in range(n_keys)]``, in one pass over the arrays."""
    v = np.asarray(values, dtype=np.float64)
    k = np.asarray(keys, dtype=np.int64)
    if len(v) == 0:
        return [0.0] * n_keys
    if len(v) >= MAX_VALUES or not np.isfinite(v).all():
        return _by_fsum(v, k, n_keys)
    mant, exp = np.frexp(v)
    m = (mant * float(1 << 53)).astype(np.int64)          # exact: v = m · 2**(exp − 53)
    nz = m != 0
    if not nz.any():
        return [0.0] * n_keys
    e = exp.astype(np.int64) - 53
    emin = int(e[nz].min())
    shift = np.where(nz, e - emin, 0)
    q, r = np.divmod(shift, LIMB_BITS)
    signed = bool((m < 0).any())
    sign = np.sign(m).astype(np.float64) if signed else None
    a = np.abs(m) if signed else m
    n_limbs = int(q.max()) + 5                              # |m| · 2**r < 2**76: limbs q … q+4
    acc = np.zeros(n_keys * n_limbs)
    base = k * n_limbs + q
    for part, chunk in enumerate((a & _MASK, (a >> LIMB_BITS) & _MASK, a >> (2 * LIMB_BITS))):
        shifted = chunk << r                                # < 2**47
        at = base + part
        lo, hi = shifted & _MASK, shifted >> LIMB_BITS
        if sign is not None:
            lo, hi = sign * lo, sign * hi
        acc += np.bincount(at, weights=lo, minlength=n_keys * n_limbs)
        acc += np.bincount(at + 1, weights=hi, minlength=n_keys * n_limbs)
    rows = acc.astype(np.int64).reshape(n_keys, n_limbs).tolist()
    out = []
    for row in rows:
        total = 0
        for limb in reversed(row):
            total = (total << LIMB_BITS) + limb
        out.append(float(total << emin) if emin >= 0 else total / (1 << -emin))
    return out


def _by_fsum(v: np.ndarray, k: np.ndarray, n_keys: int) -> list[float]:
    order = np.argsort(k, kind="stable")
    vals = v[order].tolist()
    bounds = np.searchsorted(k[order], np.arange(n_keys + 1)).tolist()
    return [math.fsum(vals[bounds[i]:bounds[i + 1]]) for i in range(n_keys)]


__all__ = ["exact_sums"]
