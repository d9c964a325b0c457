"""The committed sample is what its seed generates, and its evaluation is stable."""
import json
from pathlib import Path

import pandas as pd

from conftest import AS_OF, COMMITTED_SAMPLE as COMMITTED
from dashboard import evaluate, policy, sample

RULE_IDS = (["IDLE", "LE1", "LE2", "LE3", "LE4", "QA", "PLEDGE", "OUT_OF_SCOPE", "T1", "T2", "T3", "T4"]
            + [f"Y0{i}" for i in range(1, 10)] + [f"R{i:02d}" for i in range(1, 11)]
            + [f"D{i}" for i in range(1, 7)] + [f"DP{i}" for i in range(1, 7)])


def summary(workbook: Path, out: Path) -> dict:
    status, message = evaluate.run([str(workbook)], AS_OF, out, policy.resolve_params())
    assert status == 0, message
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_committed_sample_is_its_seed_and_evaluates_the_same(tmp_path):
    regenerated = tmp_path / "sample.xlsx"
    sample.generate(800, 2024, regenerated)
    assert regenerated.read_bytes() == COMMITTED.read_bytes(), \
        "data/sample.xlsx differs from `python -m dashboard sample --assets 800 --seed 2024`"
    first = summary(COMMITTED, tmp_path / "a")
    second = summary(regenerated, tmp_path / "b")
    first["sheets"] = second["sheets"] = None      # file names differ only
    assert first == second


def test_every_rule_fires_on_the_sample_and_nothing_is_left_unevaluated(tmp_path):
    s = summary(COMMITTED, tmp_path / "out")
    missing = [r for r in RULE_IDS if not s["counts_by_rule"].get(r)]
    assert missing == []
    assert s["not_evaluated"] == []
    # every management check fires on some assets and not on others (verification.md §1)
    assert all(0 < n < 400 for n in s["checks"].values()) and len(s["checks"]) == 6, s["checks"]
    # and every data-quality check on some rows and not on others (verification.md §2)
    dq = pd.read_csv(tmp_path / "out" / "dq.csv", encoding="utf-8-sig", dtype=str)
    per_check = dq.groupby("check").apply(lambda f: len(set(zip(f.sheet, f.row))), include_groups=False)
    assert set(per_check.index) == {"DQ1", "DQ2", "DQ3", "DQ4"} and (per_check < 400).all(), per_check
    assert s["counts_by_level"]["none"] > s["counts_by_level"]["red"] + s["counts_by_level"]["yellow"]
