"""The 报告 page in AppTest: preview of the sample's report, both downloads, Chinese errors."""
from __future__ import annotations

import pytest

from conftest import app


@pytest.fixture
def page():
    return app("report", timeout=120)


def test_report_page_previews_and_offers_both_files(page):
    assert not page.exception, page.exception
    text = " ".join(m.value for m in page.main.markdown)
    for title in ("一、总体情况", "二、红色预警变化", "三、下步工作"):      # the short monthly dispatch
        assert title in text
    assert any("本月全旗监测资产" in m.value and "较上月" in m.value for m in page.main.markdown)
    key_tables = [d.value for d in page.main.dataframe if "指标" in d.value.columns]   # the Word file's tables only
    assert len(key_tables) == 1 and list(key_tables[0].columns) == ["指标", "本月", "较上月"]
    labels = [b.proto.label for b in page.get("download_button")]
    assert labels == ["下载Word（docx）", "下载Excel附表（xlsx）"]
    red = next(m for m in page.main.metric if m.label == "红色预警")
    assert red.value.endswith("项")


def test_quarterly_ranks_towns_and_bad_period_says_why(page):
    page.radio(key="report.kind").set_value("quarterly").run()
    assert not page.exception, page.exception
    assert any("各镇排名" in m.value for m in page.main.markdown)
    assert any("六、问题整改和销号" in m.value for m in page.main.markdown)
    page.text_input(key="report.period.quarterly.sample.2024-12-31").set_value("2024Q7").run()
    assert not page.exception
    errors = [e.value for e in page.main.error]
    assert errors and "2024Q2" in errors[0] and "无法识别" in errors[0]
    assert not page.get("download_button")


def test_an_unchanged_figure_is_said_in_grey_without_an_arrow(page):
    """Issue 19.7: "与上期持平" is not a red ↑ (st.metric reads any text not starting with '-' as a rise)."""
    from streamlit.proto.Metric_pb2 import Metric as MetricProto
    from dashboard.ui import fmt
    assert fmt.change(0, "项") == {"delta": "与上期持平", "delta_color": "off", "delta_arrow": "off"}
    assert fmt.change(0.004, "个百分点", ".2f")["delta"] == "与上期持平"
    assert fmt.change(3, "项", worse_when_up=True) == {"delta": "+3项", "delta_color": "inverse"}
    assert fmt.change(-1.2, "个百分点", ".2f") == {"delta": "-1.20个百分点", "delta_color": "normal"}
    assert fmt.change(None) == {"delta": None}
    deltas = {m.label: m for m in page.main.metric if m.delta}
    assert deltas, "the sample's report compares with its previous month"
    for m in deltas.values():
        if m.delta == "与上期持平":
            assert m.proto.color == MetricProto.MetricColor.GRAY and m.proto.direction == MetricProto.MetricDirection.NONE
        else:
            assert m.delta[0] in "+-", m.delta
