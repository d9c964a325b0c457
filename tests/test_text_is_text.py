"""Text from a ledger or a user is text (issue 19 item 9), without a browser: the Markdown
escape every page uses, plotly's labels, the Excel export of payload rows.  The pages in a
real browser: tests/browser/test_text_is_text.py."""
from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from dashboard import safe
from dashboard.reports import approval_form, charts
from dashboard.reports.document import Chart
from dashboard.ui import export
from hostile_text import ACCOUNT_NAME, FORMULA, IMAGE, LINK, PROFILE_NAME, SUFFIX, TAG

PAYLOADS = [IMAGE, TAG, LINK, FORMULA, PROFILE_NAME, ACCOUNT_NAME, "**粗体** _斜体_ `代码` # 标题",
            "- 列表\n1. 编号\n> 引用", ":red[红字] :material/home: $x^2$", "&lt;b&gt; &amp; \\*", "城川镇大发村"]


def unescaped(text: str) -> str:
    """What CommonMark shows for md()'s output: a backslash before ASCII punctuation drops."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace(safe.WORD_JOINER, "")


@pytest.mark.parametrize("text", PAYLOADS)
def test_md_reads_as_written(text):
    out = safe.md(text)
    assert unescaped(out) == text.replace("\n", " ")                  # nothing lost but line breaks
    assert "\n" not in out
    # no Markdown or HTML character is left bare
    assert not re.search(r"(?<!\\)[\[\]()<>*_`#!|~$&:]", out.replace(safe.WORD_JOINER, "")), out


def test_md_keeps_chinese_and_addresses_as_text():
    assert safe.md("城川镇　大发村（2024年）") == "城川镇　大发村（2024年）"
    assert safe.md(None) == ""
    assert safe.md(12.5) == "12\\.5"
    # GFM makes a link of a bare address in text Markdown already unescaped: a word joiner
    # after its ':' (or 'www', '@') leaves it text
    for address in ("http://127.0.0.2:9/x", "HTTPS://a.b/c", "www.example.cn", "a@b.cn"):
        out = safe.md(address)
        assert safe.WORD_JOINER in out and unescaped(out) == address


def test_chart_text_is_drawn_as_written():
    assert safe.chart_text(TAG) == "&lt;img src=http://127.0.0.2:9/y onerror=alert(1)&gt;"
    assert safe.chart_text("<b>a</b> & <a href='http://x'>") == "&lt;b&gt;a&lt;/b&gt; &amp; &lt;a href='http://x'&gt;"
    assert safe.chart_value(safe.chart_text(TAG + " &lt;")) == TAG + " &lt;"
    assert safe.chart_text(3) == 3 and safe.chart_text(None) is None
    # the report's charts (the page preview and the Word image alike)
    fig = charts.figure(Chart("heatmap", "各镇 <b>预警</b>", ["R01", "<a href='http://127.0.0.2:9/'>x</a>"],
                              [f"城川镇{SUFFIX}"], [[1, 2]]))
    assert "<" not in fig.layout.title.text and "<" not in "".join(fig.data[0].x) + "".join(fig.data[0].y)
    assert fig.data[0].y[0] == safe.chart_text(f"城川镇{SUFFIX}")


def test_excel_export_of_payload_rows_holds_no_formula():
    frame = pd.DataFrame({"资产名称": [f"{FORMULA}道路{SUFFIX}", "+1", "-A1", "@SUM(A1)", "正常"],
                          FORMULA: [1.5, -2.0, 3.0, 4.0, 5.0]})
    book = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes({"资产台账": frame})))
    cells = [c for row in book["资产台账"].iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert f"'{FORMULA}道路{SUFFIX}" in texts and f"'{FORMULA}" in texts   # a cell and a header, as text
    assert -2.0 in {c.value for c in cells}                                # a negative number stays a number


def test_word_form_of_payload_rows_holds_the_text_and_no_link():
    """python-docx writes text as text: the payloads are in the document as characters (XML-escaped),
    and the file has no hyperlink and no outside target."""
    docx = approval_form.write({"asset_id": f"A1{SUFFIX}", "asset_name": f"{FORMULA}道路{SUFFIX}",
                                "town": f"城川镇{SUFFIX}", "method": TAG})
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        body = z.read("word/document.xml").decode()
        rels = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".rels"))
    assert IMAGE in body and LINK in body and FORMULA in body.replace("&quot;", '"')
    assert "&lt;img src=http://127.0.0.2:9/y onerror=alert(1)&gt;" in body and "<img" not in body
    assert "hyperlink" not in body and 'TargetMode="External"' not in rels
