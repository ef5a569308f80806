"""Monthly drug purchases of each institution, scaled to its visits and bed-days that month.

For a generic in national volume-based procurement (集采) the institution buys mostly the selected
product and the rest as another maker's product at the higher price.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from yigai.records.schema import table
from yigai.synth.arrow import dates, ids
from yigai.synth.config import SynthConfig
from yigai.synth.district import days_in_month, month_start

OCCUPANCY = 0.85


def purchases(
    rng: np.random.Generator,
    cfg: SynthConfig,
    inst_ids: pa.Array,
    visits: np.ndarray,
    beds: np.ndarray,
    year: int,
    month: int,
) -> pa.Table:
    rates = cfg.rates["purchases"]
    drugs = cfg.vocabulary["drugs"]
    makers = cfg.vocabulary["makers"]
    dim = days_in_month(year, month)
    volume = visits * rates["packs_per_visit"] + beds * dim * OCCUPANCY * rates["packs_per_bed_day"]
    weight = np.array([float(d["weight"]) for d in drugs])
    weight /= weight.sum()
    qty = np.round(
        volume[:, None] * weight[None, :] * np.exp(-0.03 + 0.25 * rng.standard_normal((len(volume), len(drugs))))
    )
    share = np.clip(rates["selected_share_of_quantity"] + 0.08 * rng.standard_normal(qty.shape), 0.3, 1.0)
    vbp = np.array([bool(d["vbp"]) for d in drugs])
    selected = np.where(vbp[None, :], np.round(qty * share), qty)
    others = qty - selected
    inst_idx, drug_idx = np.nonzero(selected > 0)
    o_inst, o_drug = np.nonzero(others > 0)
    inst_all = np.concatenate([inst_idx, o_inst])
    drug_all = np.concatenate([drug_idx, o_drug])
    is_selected = np.concatenate([vbp[drug_idx], np.zeros(len(o_drug), dtype=bool)])
    is_first = np.concatenate([np.ones(len(drug_idx), dtype=bool), np.zeros(len(o_drug), dtype=bool)])
    quantity = np.concatenate([selected[inst_idx, drug_idx], others[o_inst, o_drug]])
    price = np.array([float(d["price"]) for d in drugs])
    other_price = np.array([float(d.get("other_price", d["price"])) for d in drugs])
    amount = np.round(quantity * np.where(is_first, price[drug_all], other_price[drug_all]), 2)
    order = np.lexsort((~is_first, drug_all, inst_all))
    inst_all, drug_all, is_selected, is_first, quantity, amount = (
        a[order] for a in (inst_all, drug_all, is_selected, is_first, quantity, amount)
    )
    n = len(order)
    generic = np.array([str(d["generic"]) for d in drugs])
    product_first = np.array([f"{d['generic']} {d['pack']} {makers[k % len(makers)]}" for k, d in enumerate(drugs)])
    product_other = np.array(
        [f"{d['generic']} {d['pack']} {makers[(k + 1) % len(makers)]}" for k, d in enumerate(drugs)]
    )
    day = month_start(year, month) + rng.integers(0, dim, n)
    schema = table("drug_purchases").arrow_schema()
    return pa.Table.from_arrays(
        [
            ids(f"D{year:04d}{month:02d}", np.arange(n), 7),
            inst_ids.take(pa.array(inst_all)),
            dates(day),
            pa.array(generic[drug_all], pa.string()),
            pa.array(np.where(is_first, product_first[drug_all], product_other[drug_all]), pa.string()),
            pa.array(is_selected),
            pa.array(quantity.astype(np.float64)),
            pa.array(amount.astype(np.float64)),
        ],
        schema=schema,
    )
