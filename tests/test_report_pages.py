"""Issue 20.9: the 季通报 and the 年总结 print at most 10 pages whatever the ledger's size (at
100,000 assets they printed 46 and 34).  A list longer than content.LIST_ROWS is printed in
part, with one sentence saying how many more there are and on which sheet of the 附表; the
附表 has every row.  One generated ledger of twice the sample's size (its lists twice as long;
before the cut its documents printed 19 and 18 pages), both documents converted by one
LibreOffice run."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import docx
import openpyxl
import pytest

from dashboard import ledgers, sample
from dashboard.reports import build, content

ASSETS = 1600               # two copies of the sample's scenarios
MAX_PAGES = 10
DOCUMENTS = {"quarterly": "2024Q4", "annual": "2024"}
CUT = re.compile(r"（共([\d,]+)(项|条|件)，(?:此处列出前([\d,]+)\2|每镇列出前([\d,]+)\2)，"
                 r"其余([\d,]+)\2见附表“(.+?)”工作表。）")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """{kind: (report, its .docx, its 附表 .xlsx)} of a generated ledger."""
    folder = tmp_path_factory.mktemp("pages")
    sample.generate(ASSETS, 2024, folder / "ledger.xlsx")
    books = ledgers.load([folder / "ledger.xlsx"], label="生成台账")
    assert books.usable, books.fatal
    out = {}
    for kind, period in DOCUMENTS.items():
        report = build.build(books, kind, period)
        path = folder / f"{kind}.docx"
        path.write_bytes(build.render(report, "docx"))
        build.annex_path(path).write_bytes(build.render(report, "xlsx"))
        out[kind] = (report, path, build.annex_path(path))
    return out


def _captioned(path) -> dict[str, tuple[list[list[str]], list[str]]]:
    """Each table's caption ('表3　红色预警资产名单' → its title) → (its rows, the paragraphs
    between it and the next caption)."""
    document = docx.Document(str(path))
    out, caption = {}, None
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[1]
        if tag == "p":
            text = "".join(t.text or "" for t in block.iter() if t.tag.endswith("}t"))
            if re.match(r"^表\d+　", text):
                caption = text.split("　", 1)[1]
                out[caption] = ([], [])
            elif caption and text:
                out[caption][1].append(text)
        elif tag == "tbl" and caption:
            rows = [[c.text for c in r.cells] for r in docx.table.Table(block, document).rows]
            out[caption][0].extend(rows if not out[caption][0] else rows[1:])
    return out


def test_long_lists_are_cut_with_a_sentence_naming_the_annex_sheet(written):
    for kind, (report, path, annex) in written.items():
        tables = _captioned(path)
        lists = [t for t in report.tables() if t.in_docx and t.docx_rows]
        assert {t.sheet for t in lists} == {"红色预警", "黄色预警", "新增预警", "解除预警", "处置违规"}
        cut = [t for t in lists if len(t.rows) > t.docx_rows]
        expected = {"红色预警", "黄色预警", "处置违规"} | ({"新增预警", "解除预警"} if kind == "quarterly" else set())
        assert {t.sheet for t in cut} == expected, kind       # the annual compares with no earlier year-end
        book = openpyxl.load_workbook(annex, read_only=True)
        for table in cut:
            rows, after = tables[table.title]
            printed = len(rows) - 1
            groups = len({r[table.group_by] for r in table.rows}) if table.group_by is not None else 1
            assert 1 <= printed <= max(content.LIST_ROWS, groups), (kind, table.sheet, printed)
            sentences = [m for text in after for m in CUT.finditer(text)]
            assert len(sentences) == 1, (kind, table.sheet, after)
            total, unit, first, each, rest, sheet = sentences[0].groups()
            assert sheet == table.sheet and unit == table.unit
            assert int(total.replace(",", "")) == len(table.rows)
            assert int(rest.replace(",", "")) == len(table.rows) - printed > 0
            assert int((first or each).replace(",", "")) == (printed if first else max(1, content.LIST_ROWS // groups))
            # the 附表's sheet holds every row, the printed ones among them
            ws = book[sheet]
            ids = [r[3] for r in ws.iter_rows(min_row=4, values_only=True) if r[0] is not None]
            assert len(ids) == len(table.rows) and ids == table.column("资产编号")
            header = rows[0]
            assert {r[header.index("资产编号")] for r in rows[1:]} <= set(ids)
        # a list that fits its room is printed whole, with no sentence
        for table in lists:
            if table not in cut and table.rows:
                rows, after = tables[table.title]
                assert len(rows) - 1 == len(table.rows) and not any(CUT.search(t) for t in after)


def test_the_documents_print_on_at_most_ten_pages(written, tmp_path):
    if not (shutil.which("libreoffice") and shutil.which("pdfinfo")):
        assert not os.environ.get("CI"), "CI must install LibreOffice and poppler-utils"
        pytest.skip("LibreOffice or pdfinfo not installed")
    paths = [str(path) for _, path, _ in written.values()]
    subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *paths],
                   check=True, capture_output=True, timeout=300)
    pages = {}
    for kind in written:
        info = subprocess.run(["pdfinfo", str(tmp_path / f"{kind}.pdf")], check=True, capture_output=True,
                              text=True).stdout
        pages[kind] = int(info.split("Pages:")[1].split()[0])
    assert all(3 <= n <= MAX_PAGES for n in pages.values()), pages
