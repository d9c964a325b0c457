"""Issue 18 item 1: one user's import profile must not change everyone's imports.

A profile saved by a town or department applies by itself only to that authority's uploads;
the administrator's apply to all and to the command line; a profile never replaces another
owner's; the mapping step never guesses a header that names another column exactly, so our
own template maps to itself."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT, account, sample_path
from dashboard import template as T
from dashboard.ingest import ProfileError, load_files
from dashboard.ingest import profiles as P
from dashboard.ingest import wizard as W
from dashboard.ingest.header import norm, split_unit
from dashboard.ingest.jobs import sheets_of
from dashboard.store import audit, settings
from test_mapping_profiles import PROFILE, county_book

# The audit's reproduction: the mapping step's guesses on our own template, saved as a profile,
# mapped 合同起始日期 → 停运日期 and 合同到期日期 → 合同起始日期.
SWAPPED = '''name = "资产台账"
[[sheets]]
match = "资产台账"
kind = "assets"
[sheets.columns]
"资产编号" = "资产编号"
"合同起始日期" = "停运日期"
"合同到期日期" = "合同起始日期"
'''
SKIP_ASSETS = '''name = "资产台账"
[[sheets]]
match = "资产台账"
kind = "skip"
'''


def _guesses(data: bytes, name: str) -> dict[str, dict[str, str]]:
    """What the mapping step pre-selects, per sheet: canonical column → header."""
    _, sheets = sheets_of((name, data), len(data) + 1, rows=W.SAMPLE_ROWS + 30)
    out = {}
    for sheet_name, grid in sheets:
        if sheet_name not in T.SHEET_BY_ZH:
            continue
        sheet, view = T.SHEET_BY_ZH[sheet_name], W.view(grid)
        exact, pairs = W.exact_headers(sheet, view), {}
        for col in sorted(sheet.columns, key=lambda c: not c.required):
            guess = W.best_guess(col, view, 0.55 if col.required else 0.75, exclude=set(pairs), exact=exact)
            if guess:
                pairs[guess] = col.zh
        out[sheet_name] = {zh: h for h, zh in pairs.items()}
    return out


def _variants(sheet: str, zh: str) -> set[str]:
    return {norm(v) for c in T.SHEET_BY_ZH[sheet].columns if c.zh == zh for v in c.variants}


def test_our_template_maps_to_itself_in_the_mapping_step():
    guesses = _guesses(sample_path().read_bytes(), "sample.xlsx")
    assert set(guesses) == {s.zh for s in T.SHEETS}
    for sheet, pairs in guesses.items():
        wrong = {zh: h for zh, h in pairs.items()
                 if split_unit(h)[0] != norm(zh) and split_unit(h)[0] not in
                 _variants(sheet, zh)}
        assert not wrong, (sheet, wrong)
    assert guesses["资产台账"]["停运日期"] == "停运日期"              # the audit's two swapped columns
    assert guesses["资产台账"]["合同起始日期"] == "合同起始日期"


def test_a_town_profile_applies_only_to_that_towns_uploads(tmp_path):
    account("城川镇报送", "town", town="城川镇")
    W.save("某县总台账", PROFILE, "城川镇", "城川镇报送")
    book = county_book(tmp_path)
    mine = load_files([book], authority="城川镇")
    assert mine.usable and mine.auto_profiles == {"某县项目资产总台账": ["county.xlsx/附件6 项目资产总台账",
                                                                                  "county.xlsx/说明"]}
    assert not load_files([book], authority="昂素镇").usable
    assert not load_files([book]).usable                      # the administrator's upload and the CLI


def test_a_town_cannot_change_the_administrators_or_the_cli_imports(tmp_path):
    """The audit's takeover: a town saving the swapped guesses, or 跳过此表 under the
    administrator's profile name, changes nothing for anyone else."""
    account("城川镇报送", "town", town="城川镇")
    W.save("资产台账", PROFILE, None, "管理员")                  # the administrator's
    admin_text = (P.saved_dir() / "资产台账.toml").read_text(encoding="utf-8")
    W.save("资产台账", SKIP_ASSETS, "城川镇", "城川镇报送")       # same name, the town's own
    W.save("停运日期", SWAPPED.replace('name = "资产台账"', 'name = "停运日期"'), "城川镇", "城川镇报送")
    assert (P.saved_dir() / "资产台账.toml").read_text(encoding="utf-8") == admin_text
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "dashboard", "evaluate", str(sample_path()), "--as-of",
                          "2024-12-31", "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {s["profile"] for s in summary["sheets"]} == {None}
    baseline = load_files([sample_path()], use_saved=False).tables["assets"]
    admin = load_files([sample_path()]).tables["assets"]
    assert admin.stop_date.notna().sum() == baseline.stop_date.notna().sum()


def test_a_profile_never_replaces_another_owners_and_ones_own_only_when_asked(tmp_path):
    account("城川镇报送", "town", town="城川镇")
    account("城川镇二", "town", town="城川镇")
    first = W.save("某县总台账", PROFILE, "城川镇", "城川镇报送")
    with pytest.raises(ProfileError, match="已由城川镇报送保存"):
        W.save("某县总台账", SKIP_ASSETS, "城川镇", "城川镇二")
    with pytest.raises(ProfileError, match="覆盖同名导入方案"):
        W.save("某县总台账", SKIP_ASSETS, "城川镇", "城川镇报送")
    assert first.read_text(encoding="utf-8") == PROFILE
    W.save("某县总台账", SKIP_ASSETS, "城川镇", "城川镇报送", replace=True)
    kept = list((first.parent / W.HISTORY).glob("*.bak"))
    assert [k.read_text(encoding="utf-8") for k in kept] == [PROFILE]   # a version to go back to
    assert settings.profile_owners()["城川镇/某县总台账.toml"] == "城川镇报送"


def test_a_legacy_profile_a_town_saved_at_the_top_stays_that_towns(tmp_path):
    """Saved before owners' folders existed: its owner is in the store, so it is the town's."""
    account("城川镇报送", "town", town="城川镇")
    P.saved_dir().mkdir(parents=True)
    (P.saved_dir() / "old.toml").write_text(PROFILE, encoding="utf-8")
    settings.set_profile_owner("old.toml", "城川镇报送")
    book = county_book(tmp_path)
    assert load_files([book], authority="城川镇").usable
    assert not load_files([book]).usable and not load_files([book], authority="昂素镇").usable
    assert [(p.name, p.authority) for p in W.listing(everyone=True)] == [("某县项目资产总台账", "城川镇")]


def test_the_clis_automatic_use_of_an_administrators_profile_is_audited(tmp_path):
    account()
    W.save("某县总台账", PROFILE, None, "管理员")
    run = subprocess.run([sys.executable, "-m", "dashboard", "evaluate", county_book(tmp_path), "--as-of",
                          "2024-06-30", "--out", str(tmp_path / "o")], cwd=ROOT, capture_output=True, text=True,
                         env={**__import__("os").environ})
    assert run.returncode == 0, run.stderr
    [entry] = audit.rows(action="profile_apply")
    assert entry.object == "某县项目资产总台账" and entry.user_name.startswith("命令行")
