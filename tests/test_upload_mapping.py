"""数据上传's mapping step (issue 9 item 3): a county layout the importer cannot place loads
after one mapping step, saved as an import profile that the next upload uses by itself."""
import pandas as pd

from conftest import account, app, assert_clean, table_with
from dashboard.ingest import profiles as P
from dashboard.ingest import wizard as W
from dashboard.store import audit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def county_bytes(tmp_path) -> bytes:
    rows = [["某县扶贫项目资产总台账", None, None, None, None, None, None],
            ["资产代码", "项目资产名称", "性质", "构建时间", "投资（万元）", "位置", "资产状态"],
            ["Z-001", "光伏电站", "经营类资产", "2019年", 120.5, "城川镇大发村", "在用"],
            ["Z-002", "村道", "公益类资产", "2020", 80, "昂素镇全镇", "在用"]]
    path = tmp_path / "county.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame(rows).to_excel(w, sheet_name="附件6", index=False, header=False)
    return path.read_bytes()


def test_one_mapping_step_loads_a_county_layout_and_is_remembered(tmp_path):
    account("城川镇报送", "town", town="城川镇")          # a town saves profiles for its own uploads
    at = app("upload", user="城川镇报送")
    at.file_uploader(key="upload_files").upload("county.xlsx", county_bytes(tmp_path), XLSX).run()
    assert not at.exception
    assert any("指定工作表类型和列的对应关系" in e.value for e in at.main.error)    # where to go next
    assert table_with(at, "识别为")["识别为"].tolist() == ["未识别"]
    key = "map.county.xlsx.附件6.assets"
    assert at.number_input(key=key + ".row").value == 2                 # the header row, guessed
    assert at.selectbox(key=key + ".col.asset_id").value == "资产代码"     # the best guesses, pre-selected
    assert at.selectbox(key=key + ".col.build_year").value == "构建时间"
    assert at.button(key="map.county.xlsx.save").disabled            # nothing loads yet: nothing to save
    at.selectbox(key=key + ".col.category").set_value("性质").run()
    at.selectbox(key=f"{key}.val.category.经营类资产").set_value("经营性").run()
    at.selectbox(key=f"{key}.val.category.公益类资产").set_value("公益性").run()
    at.checkbox(key=key + ".place").check().run()
    assert not at.exception
    preview = table_with(at, "资产编号")
    assert preview["资产编号"].tolist() == ["Z-001", "Z-002"]
    assert preview["嘎查村"].tolist()[0] == "大发村" and preview["资产类别"].tolist() == ["经营性", "公益性"]
    at.text_input(key="map.county.xlsx.name").set_value("某县总台账").run()
    at.button(key="map.county.xlsx.save").click().run()
    assert_clean(at)
    assert any("已保存导入方案“某县总台账”" in s.value for s in at.main.success)
    assert table_with(at, "识别为")["识别为"].tolist() == ["资产台账"]
    assert table_with(at, "采用的导入方案")["采用的导入方案"].tolist() == ["导入方案“某县总台账”"]
    assert [p.name for p in W.listing("城川镇")] == ["某县总台账"] and W.listing() == []
    assert (P.authority_dir("城川镇") / "某县总台账.toml").exists()          # the town's own folder

    assert [(r.user_name, r.object) for r in audit.rows(action="profile_save")] == [("城川镇报送", "某县总台账")]
    applied = [r for r in audit.rows(action="profile_apply") if "某县总台账" in r.details]
    assert [r.user_name for r in applied] == ["城川镇报送"]                  # its automatic use, audited
    assert len(audit.rows(action="upload")) == 1                          # read again: not a second upload

    # issue 18: the next upload of that layout loads by itself only for that town; another town
    # and the administrator are not read through it, and may not rename or delete it
    account("昂素镇报送", "town", town="昂素镇")
    other = app("upload", user="昂素镇报送")
    other.file_uploader(key="upload_files").upload("county-3.xlsx", county_bytes(tmp_path), XLSX).run()
    assert table_with(other, "识别为")["识别为"].tolist() == ["未识别"]
    assert not [b for b in other.main.button if b.key == "map_delete.0"]
    admin = app("upload", user="管理员")
    admin.file_uploader(key="upload_files").upload("county-4.xlsx", county_bytes(tmp_path), XLSX).run()
    assert table_with(admin, "识别为")["识别为"].tolist() == ["未识别"]
    again = app("upload", user="城川镇报送")
    again.file_uploader(key="upload_files").upload("county-2.xlsx", county_bytes(tmp_path), XLSX).run()
    assert table_with(again, "识别为")["识别为"].tolist() == ["资产台账"]
    again.text_input(key="map_rename.0").set_value("某县总台账（2024版）").run()
    again.button(key="map_rename_btn.0").click().run()
    assert [p.name for p in W.listing("城川镇")] == ["某县总台账（2024版）"]
    again.button(key="map_delete.0").click().run()
    assert W.listing("城川镇") == [] and not list(P.authority_dir("城川镇").glob("*.toml"))
    assert len(list((P.authority_dir("城川镇") / W.HISTORY).glob("*.bak"))) == 2   # renamed and deleted, kept
    assert len(audit.rows(action="profile_rename")) == 1 and len(audit.rows(action="profile_delete")) == 1


def test_demo_mode_cannot_save_a_profile(tmp_path):
    at = app("upload")
    at.file_uploader(key="upload_files").upload("county.xlsx", county_bytes(tmp_path), XLSX).run()
    assert not [b for b in at.main.button if (b.key or "").endswith(".save")]
    assert any("演示模式" in i.value for i in at.main.info)


def test_a_profile_saved_or_changed_rereads_the_upload_on_every_page(tmp_path):
    """issue 19 item 6: a county workbook whose 投资规模 is 万元 stated nowhere; the pages read
    the upload, then a profile (万元, pre-set since the amounts look like 万元) is saved, then
    changed back to 元 — 资产台账 shows each reading without uploading again."""
    from fixtures_messy import county_workbook
    account()
    data = county_workbook(tmp_path / "县台账.xlsx").read_bytes()
    at = app("upload", user="管理员")

    def upload():          # a page left and opened again holds no file: the user chooses it again
        at.file_uploader(key="upload_files").upload("县台账.xlsx", data, XLSX).run()
        assert_clean(at)

    upload()
    unit = "map.县台账.xlsx.附件6.assets.unit"
    assert at.radio(key=unit).value == "万元"                                     # pre-set, and why
    assert any("数值偏小，疑为万元，已预选万元" in c.value for c in at.main.caption)
    assert at.selectbox(key="map_kind.县台账.xlsx.附件5-1").value == "skip"         # projects, not assets
    at.button(key="upload_view").click().run()

    def ledger_total() -> str:
        at.switch_page("../pages/ledger.py").run()
        assert_clean(at)
        said = next(c.value for c in at.main.caption if c.value.startswith("共"))
        at.switch_page("../pages/upload.py").run()
        upload()
        return said

    assert "共3项资产，原值0.02万元" in ledger_total()                           # read as 元, as uploaded
    at.button(key="map.县台账.xlsx.save").click().run()
    assert_clean(at)
    assert table_with(at, "采用的导入方案")["采用的导入方案"].tolist() == ["导入方案“县台账”"] * 3
    assert not [c.value for c in at.main.caption if "疑为万元" in c.value or "每行是一个项目" in c.value]
    assert "共3项资产，原值235.50万元" in ledger_total()                         # no second upload
    assert at.checkbox(key="map.县台账.xlsx.replace").value                       # editing the profile applied
    at.radio(key=unit).set_value("元").run()
    at.button(key="map.县台账.xlsx.save").click().run()
    assert_clean(at)
    assert "共3项资产，原值0.02万元" in ledger_total()


def test_a_sheet_of_projects_is_proposed_as_skip_and_its_project_id_is_no_asset_id():
    from fixtures_messy import COUNTY_ASSETS, COUNTY_PROJECTS
    from dashboard import template as T
    kind, why = W.propose("附件5-1", COUNTY_PROJECTS, None)
    assert kind == "skip" and "每行是一个项目" in why and "“项目编号”、“项目名称”" in why
    assert W.propose("附件6", COUNTY_ASSETS, None) == ("assets", "")          # 项目编号 beside 资产编号
    listed = [["2024年项目清单"], ["序号", "名称", "建设地点", "投资"], [1, "村道", "城川镇", 80]]
    assert W.propose("Sheet1", listed, None)[0] == "skip"                       # a title naming projects
    assets = [["序号", "项目资产名称", "项目名称", "性质", "投资"], [1, "光伏电站", "光伏项目", "经营性", 120]]
    assert W.propose("Sheet1", assets, None)[0] == "assets"
    assert W.propose("附件5-1", COUNTY_PROJECTS, "skip") == ("skip", "")        # as a profile read it
    assert W.propose("填表说明", [["金额单位：万元"]], None)[0] == "skip"
    view = W.view(COUNTY_PROJECTS)
    assert W.best_guess(T.ASSETS.column("asset_id"), view) is None               # never 项目编号
    assert "项目编号" not in [h for h, _ in W.rank(T.ASSETS.column("asset_id"), view)]


def test_the_unit_is_preset_to_wan_when_the_amounts_look_like_wan():
    from fixtures_messy import COUNTY_ASSETS
    view = W.view(COUNTY_ASSETS)
    unit, why = W.unit_hint(COUNTY_ASSETS, view, "投资规模")
    assert unit == "万元" and "数值偏小，疑为万元" in why
    big = [r if i < 2 else r[:7] + [1205000] + r[8:] for i, r in enumerate(COUNTY_ASSETS)]
    assert W.unit_hint(big, W.view(big), "投资规模") == ("元", "")
    edge = [["资产编号", "投资规模"], ["A", 999], ["B", 1000], ["C", 1001]]            # median 1,000: 元
    assert W.unit_hint(edge, W.view(edge), "投资规模")[0] == "元"
    above = [["单位：元"], ["资产编号", "投资规模"], ["A", 12.5]]                    # the line above wins
    assert W.unit_hint(above, W.view(above), "投资规模") == ("元", "表头上方注明“单位：元”")
