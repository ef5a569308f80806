"""Regional DRG weight lists: the shipped ones with their provenance, and a user's own file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from yigai.payment.drg_weights import (
    WeightListError,
    load_weight_list,
    read_weight_file,
    shipped_dir,
    shipped_lists,
)

SOURCE = Path("/work/shared/reference-data/drg-payment")


def test_every_shipped_list_loads_as_its_index_records_it() -> None:
    index = yaml.safe_load((shipped_dir() / "index.yaml").read_text(encoding="utf-8"))
    assert index["licence"] == "Apache-2.0" and "OpenDRG" in index["origin"]
    assert "Apache License" in (shipped_dir() / index["licence_file"]).read_text(encoding="utf-8")
    assert "OpenDRG" in (shipped_dir() / "NOTICE.md").read_text(encoding="utf-8")
    assert sorted(index["lists"]) == shipped_lists() and len(shipped_lists()) == 26
    for name in shipped_lists():
        w = load_weight_list(name)
        assert len(w.weights) == index["lists"][name]["with_rw"], name
        assert set(w.without_rw) == set(index["lists"][name]["without_rw"]) | set(
            index["lists"][name]["listed_twice_with_different_rw"]
        ), name


def test_fuzhou_2022() -> None:
    w = load_weight_list("福州2022")
    assert len(w.weights) == 563 and not w.without_rw
    assert w.weights["AH11"] == 6.2893 and w.weights["GB15"] == 7.2659
    assert w.names["FR25"] == "心力衰竭、休克，不伴并发症或合并症"


def test_a_users_gbk_list_with_blank_zero_and_conflicting_weights(tmp_path: Path) -> None:
    path = tmp_path / "区域.csv"
    path.write_bytes(
        "分组编码,分组名称,权重\nGB15,食管手术,7.2\nKZ19,其他,\nES25,感染,0\nDR13,肿瘤,0.7\n"
        "DR13,出血,1.4\ngb25,小写,1.1\n".encode("gb18030")
    )
    w = read_weight_file(path)
    assert w.weights == {"GB15": 7.2, "GB25": 1.1}
    assert w.without_rw == ("KZ19", "ES25") and w.conflicts == ("DR13",)
    assert "没有权重" in w.why_not("KZ19") and "重复且权重不同" in w.why_not("DR13")
    assert "不在权重表" in w.why_not("AA11")


def test_a_list_without_a_weight_column_or_an_unknown_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "银川.csv"
    path.write_text("DRG编码,DRG名称,标准分值\nAH11,x,77361.96\n", encoding="utf-8")
    with pytest.raises(WeightListError, match="RW"):
        read_weight_file(path)
    with pytest.raises(WeightListError, match="福州2022"):
        load_weight_list("无此地2099")


@pytest.mark.skipif(not SOURCE.is_dir(), reason="the reference data is not on this machine")
def test_the_conversion_script_reproduces_the_shipped_lists(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, str(root / "scripts" / "convert_drg_weights.py"), str(SOURCE), str(tmp_path)],
        check=True,
        capture_output=True,
        env={"PYTHONPATH": str(root / "src")},
    )
    for name in shipped_lists():
        assert (tmp_path / f"{name}.csv").read_bytes() == (shipped_dir() / f"{name}.csv").read_bytes(), name
    assert (tmp_path / "index.yaml").read_bytes() == (shipped_dir() / "index.yaml").read_bytes()
