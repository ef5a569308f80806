"""Correctly rounded grouped sums over NumPy arrays: ``math.fsum`` per group, without a Python loop per value.

The reference DIP engine sums with :func:`math.fsum` (the exact sum, rounded once), so its totals do
not depend on record order. The columnar engine must give the same floats. It uses the error-free
extraction of Rump, Ogita and Oishi ("Accurate floating-point summation", SIAM J. Sci. Comput. 31,
2008): with ``σ = 2**(M + τ)``, ``2**τ`` above every ``|p|`` and ``2**M ≥ n + 2``, each
``q = (σ + p) − σ`` and ``p − q`` are exact, and every sum of any subset of the ``q`` in any
order is exact too (all are multiples of ``2**(M + τ − 53)`` and stay below ``2**(M + τ)``). So
``np.bincount`` adds each round's ``q`` per group without error; a few rounds take every bit of
the values (each round about ``53 − M`` bits), and ``math.fsum`` over a group's round sums rounds
the exact total once — the float ``math.fsum`` gives over the group's values.

Round sums can also be added across groups (still exact, for the same reason) before rounding,
so one pass over the cases gives sums at several levels of grouping.
"""

from __future__ import annotations

import math

import numpy as np

_LOWEST_EXPONENT = -960  # below this σ nears the subnormal range: fall back to math.fsum
_HIGHEST_EXPONENT = 1000  # above, σ would overflow


def exact_parts(values: np.ndarray, keys: np.ndarray, n_keys: int) -> list[np.ndarray] | None:
    """Per round, the exact sum of that round's parts for each key; None when the values need math.fsum.

    The exact sum for key ``k`` is ``Σ_round parts[round][k]``; any sums of these arrays across keys
    are exact too.
    """
    p = np.array(values, dtype=np.float64)  # a copy: rounds work in place
    k = np.asarray(keys, dtype=np.int64)
    if len(p) and not np.isfinite(p).all():
        return None
    m = math.ceil(math.log2(len(p) + 2))
    parts: list[np.ndarray] = []
    q = np.empty_like(p)
    while len(p):
        top = max(float(p.max()), -float(p.min()))
        if top == 0.0:
            break
        tau = math.frexp(top)[1]  # top < 2**tau
        if not _LOWEST_EXPONENT <= m + tau <= _HIGHEST_EXPONENT:
            return None
        sigma = math.ldexp(1.0, m + tau)
        np.add(p, sigma, out=q)
        np.subtract(q, sigma, out=q)  # q = (σ + p) − σ, exact
        np.subtract(p, q, out=p)  # the rest, exact
        parts.append(np.bincount(k, weights=q, minlength=n_keys))
    return parts


def round_parts(parts: list[np.ndarray], n_keys: int) -> list[float]:
    """Each key's exact total, rounded once (math.fsum of its round sums)."""
    if not parts:
        return [0.0] * n_keys
    if len(parts) == 1:
        return (parts[0] + 0.0).tolist()  # one exact sum: already the rounded total (−0.0 → 0.0)
    rows = np.stack(parts, axis=1).tolist()
    return [math.fsum(r) for r in rows]


def exact_sums(values: np.ndarray, keys: np.ndarray, n_keys: int) -> list[float]:
    """``[math.fsum(values[keys == k]) for k in range(n_keys)]``, in a few passes over the arrays."""
    parts = exact_parts(values, keys, n_keys)
    if parts is None:
        return _by_fsum(np.asarray(values, dtype=np.float64), np.asarray(keys, dtype=np.int64), n_keys)
    return round_parts(parts, n_keys)


def _by_fsum(v: np.ndarray, k: np.ndarray, n_keys: int) -> list[float]:
    order = np.argsort(k, kind="stable")
    vals = v[order].tolist()
    bounds = np.searchsorted(k[order], np.arange(n_keys + 1)).tolist()
    return [math.fsum(vals[bounds[i] : bounds[i + 1]]) for i in range(n_keys)]


__all__ = ["exact_sums", "exact_parts", "round_parts"]
