"""Convert the regional DRG weight lists of the reference data into yigai's shipped form.

    python scripts/convert_drg_weights.py [SOURCE_DIR] [TARGET_DIR]

SOURCE_DIR (default ``/work/shared/reference-data/drg-payment``, with ``../README.md`` and
``../LICENSE-OpenDRG-Apache-2.0.txt`` beside it) holds one CSV per region and year, UTF-8 with BOM
or GBK, headers that differ by region. TARGET_DIR (default ``src/yigai/data/drg_weights``) gets,
for each list that has a relative-weight column: ``<region><year>.csv`` in UTF-8 with the columns
``drg,name,rw`` (rw blank where the source has none, 0, or two different ones), an ``index.yaml``
recording each list's source, encoding, DRGs and those without a weight, and the licence and
NOTICE. It reads the lists with yigai's own reader (:mod:`yigai.payment.drg_weights`), so it runs
with ``PYTHONPATH=src``.
Rerun it on a later release of the lists: it rewrites every file it produces and nothing else.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from pathlib import Path

import yaml

from yigai.payment.drg_weights import WeightListError, read_weight_file

SOURCE = Path("/work/shared/reference-data/drg-payment")
TARGET = Path(__file__).resolve().parents[1] / "src" / "yigai" / "data" / "drg_weights"
LICENCE = "LICENSE-OpenDRG-Apache-2.0.txt"
ORIGIN = (
    "OpenDRG/DRG_Datas, folder Payment, commit 164c3f6cf898c2a5a2950513a5a7f658fe23f932 "
    "(Apache-2.0), transcribed from the regional medical-insurance bureaus' published DRG lists"
)
NOTICE = """# Regional DRG weight lists (区域DRG病组权重)

Relative weights (RW) per DRG of {n} regional lists, converted by `scripts/convert_drg_weights.py`
from the reference data (`drg-payment/`): {origin}.

Licence: Apache License 2.0, full text in `{licence}` beside this file. The lists are facts
(codes, names, weights) that the regions published; OpenDRG collected them. Only the code, the
name and the RW are kept; payment standards, rates and level coefficients some lists carry are
not. `index.yaml` records each list's source file and encoding, its DRGs, and the DRGs without a
usable weight (blank or 0 in the source, or listed twice with different weights): a case of such a
DRG is not settled, and says why.

Not converted (no relative-weight column): {skipped}.
"""


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def convert(source: Path = SOURCE, target: Path = TARGET) -> dict[str, object]:
    target.mkdir(parents=True, exist_ok=True)
    index: dict[str, object] = {}
    skipped: list[str] = []
    for path in sorted(source.glob("*.csv")):
        try:
            weights = read_weight_file(path)
        except WeightListError as exc:
            skipped.append(f"{path.stem} ({exc})")
            continue
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("drg", "name", "rw"))
        for code, name in weights.names.items():
            rw = weights.weights.get(code)
            writer.writerow((code, name, repr(rw) if rw is not None else ""))
        (target / f"{path.stem}.csv").write_text(out.getvalue(), encoding="utf-8")
        encoding = "utf-8" if _is_utf8(path) else "gb18030"
        index[path.stem] = {
            "source": path.name,
            "encoding": encoding,
            "drgs": len(weights.names),
            "with_rw": len(weights.weights),
            "without_rw": list(weights.without_rw),
            "listed_twice_with_different_rw": list(weights.conflicts),
        }
    meta = {
        "origin": ORIGIN,
        "licence": "Apache-2.0",
        "licence_file": LICENCE,
        "lists": index,
        "not_converted": skipped,
    }
    (target / "index.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copyfile(source.parent / LICENCE, target / LICENCE)
    (target / "NOTICE.md").write_text(
        NOTICE.format(n=len(index), origin=ORIGIN, licence=LICENCE, skipped="; ".join(skipped) or "none"),
        encoding="utf-8",
    )
    return meta


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:3]]
    result = convert(*args)
    lists = result["lists"]
    assert isinstance(lists, dict)
    print(f"{len(lists)} lists written; not converted: {result['not_converted']}")
