"""Mapping profiles (mapping-profiles.md): a county's own layout loads once it is told,
through --mapping and through a saved profile, with every applied pair in summary.json."""
import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT
from dashboard.ingest import ProfileError, load_files, read_profile
from dashboard.ingest import profiles as P

PROFILE = '''
name = "某县项目资产总台账"
note = "附件6"

[[sheets]]
match = "附件6*"
kind = "assets"
header_row = 3
unit = "万元"

[sheets.columns]
"资产代码" = "资产编号"
"项目资产名称" = "资产名称"
"性质" = "资产类别"
"构建时间" = "建成年度"
"投资" = "资产原值"
"位置" = ["所在镇", "所在嘎查村"]
"资产状态" = "运营状况"

[sheets.values]
"资产类别" = { "经营类资产" = "经营性", "公益类资产" = "公益性" }
"运营状况" = { "在用" = "良好", "闲置" = "停运" }

[sheets.constants]
"资金来源" = "衔接推进乡村振兴补助资金"

[[sheets]]
match = "说明"
kind = "skip"
'''


def county_book(tmp_path) -> str:
    rows = [["某县扶贫项目资产总台账", None, None, None, None, None, None],
            ["单位：万元（截至2024年6月30日）", None, None, None, None, None, None],
            ["资产代码", "项目资产名称", "性质", "构建时间", "投资", "位置", "资产状态"],
            ["Z-001", "光伏电站", "经营类资产", "2019年", 120.5, "城川镇大发村", "在用"],
            ["Z-002", "村道", "公益类资产", "2020", 80, "昂素镇全镇", "在用"],
            ["Z-003", "冷库", "经营类资产", "2018", 35, "城川镇大发村", "闲置"]]
    path = tmp_path / "county.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame(rows).to_excel(w, sheet_name="附件6 项目资产总台账", index=False, header=False)
        pd.DataFrame([["本表由各镇填报"]]).to_excel(w, sheet_name="说明", index=False, header=False)
    return str(path)


def write_profile(tmp_path, text=PROFILE) -> str:
    path = tmp_path / "county.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_without_a_profile_it_says_what_it_could_not_place(tmp_path):
    result = load_files([county_book(tmp_path)], use_saved=False)
    assert not result.usable


def test_a_profile_loads_the_county_layout(tmp_path):
    result = load_files([county_book(tmp_path)], mappings=[read_profile(write_profile(tmp_path))],
                        use_saved=False)
    assert result.usable, result.fatal
    a = result.tables["assets"]
    assert list(a.asset_id) == ["Z-001", "Z-002", "Z-003"]
    assert list(a.category) == ["经营性", "公益性", "经营性"]
    assert list(a.town) == ["城川镇", "昂素镇", "城川镇"]
    assert a.village.tolist()[0] == "大发村" and pd.isna(a.village.tolist()[1])     # 全镇: no village
    assert float(a.original_value.iloc[0]) == 1_205_000.0                          # 万元 from the profile
    assert list(a.operating_status) == ["良好", "良好", "停运"]
    assert set(a.funding_source) == {"衔接推进乡村振兴补助资金"}
    sheet = next(s for s in result.sheets if s.kind == "assets")
    assert sheet.profile == "某县项目资产总台账" and sheet.profile_pairs["位置"] == "所在镇、所在嘎查村"
    assert any("跳过工作表“说明”" in i.reason for i in result.issues)


def test_cli_mapping_and_summary(tmp_path):
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "dashboard", "evaluate", county_book(tmp_path), "--as-of",
                          "2024-06-30", "--out", str(out), "--mapping", write_profile(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    sheet = next(s for s in summary["sheets"] if s["kind"] == "assets")
    assert sheet["profile"] == "某县项目资产总台账"
    assert sheet["mapped_columns"]["构建时间"] == "建成年度"


@pytest.mark.parametrize("bad, said", [
    (PROFILE.replace('kind = "assets"', 'kind = "ledger"'), "类型“ledger”不存在"),
    (PROFILE.replace('"投资" = "资产原值"', '"投资" = "资产原价"'), "“资产原价”不是资产台账的列"),
    (PROFILE.replace('"资产状态" = "运营状况"', '"资产状况" = "运营状况"'), "没有列“资产状况”"),
])
def test_a_wrong_profile_is_a_chinese_error_naming_what(tmp_path, bad, said):
    path = write_profile(tmp_path, bad)
    run = subprocess.run([sys.executable, "-m", "dashboard", "evaluate", county_book(tmp_path), "--as-of",
                          "2024-06-30", "--out", str(tmp_path / "o"), "--mapping", path],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2 and said in run.stderr and "Traceback" not in run.stderr


def test_a_saved_profile_applies_by_itself_and_two_do_not(tmp_path, monkeypatch):
    monkeypatch.setenv("ZCPH_DATA_DIR", str(tmp_path / "var"))
    folder = P.saved_dir()
    folder.mkdir(parents=True)
    (folder / "a.toml").write_text(PROFILE, encoding="utf-8")
    book = county_book(tmp_path)
    assert load_files([book]).usable
    (folder / "b.toml").write_text(PROFILE.replace("某县项目资产总台账", "另一方案"), encoding="utf-8")
    result = load_files([book])
    assert not result.usable
    assert any("同时符合已保存的导入方案" in i.reason for i in result.issues)


def test_a_saved_profile_needs_every_source_header(tmp_path, monkeypatch):
    monkeypatch.setenv("ZCPH_DATA_DIR", str(tmp_path / "var"))
    P.saved_dir().mkdir(parents=True)
    (P.saved_dir() / "a.toml").write_text(PROFILE.replace('"资产状态" = "运营状况"', '"备注" = "运营状况"'),
                                          encoding="utf-8")
    assert not load_files([county_book(tmp_path)]).usable        # the sheet has no 备注: not applied


def test_profile_errors_are_profile_errors():
    with pytest.raises(ProfileError):
        P.parse({"name": "x", "sheets": [{"match": "a", "kind": "assets", "unit": "千元"}]}, "x.toml")
