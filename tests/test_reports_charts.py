"""A chart kaleido fails to draw (once in four runs at 100,000 assets: `OSError: Directory not
empty: 'Default'`) is tried once more on a fresh server; failing again, the Word and Excel files
are written without it and say so in its place — no traceback, no lost report."""
from __future__ import annotations

import io
import logging
import zipfile

import docx
import openpyxl
import pytest

import rulekit
from dashboard.reports import build, charts
from dashboard.reports.document import Chart

CHART = Chart("trend", "全年各月红黄预警资产数", ["1月", "2月"], ["红色预警", "黄色预警"], [[1, 2], [0, 1]])
PNG = b"\x89PNG fake"


@pytest.fixture
def renderer(monkeypatch):
    """kaleido replaced: fails the first `fails` calls with the error seen at 100k, then draws."""
    state = {"fails": 0, "calls": 0, "restarts": 0}

    def render(chart, width, height):
        state["calls"] += 1
        if state["calls"] <= state["fails"]:
            raise OSError(39, "Directory not empty", "Default")
        return PNG

    monkeypatch.setattr(charts, "_draw", render)
    monkeypatch.setattr(charts, "_restart", lambda: state.__setitem__("restarts", state["restarts"] + 1))
    return state


def test_a_failed_chart_is_retried_once_on_a_fresh_server(renderer):
    renderer["fails"] = 1
    assert charts.png(CHART) == PNG
    assert (renderer["calls"], renderer["restarts"]) == (2, 1)


def test_a_chart_failing_twice_is_left_out_with_a_warning_and_no_traceback(renderer, caplog):
    renderer["fails"] = 99
    with caplog.at_level(logging.WARNING, logger=charts.log.name):
        assert charts.png(CHART) is None
    assert renderer["calls"] == charts.ATTEMPTS == 2
    failures = [r for r in caplog.records if r.name == charts.log.name]
    assert len(failures) == 2 and not any(r.exc_info for r in failures)
    assert "Directory not empty" in failures[-1].getMessage()


def test_the_documents_say_the_chart_was_left_out(renderer):
    renderer["fails"] = 10 ** 6
    report = build.build(rulekit.ledgers(assets=[{"asset_id": "A1", "asset_name": "养殖场", "operating_status": "不正常"}]),
                         "quarterly", "2024Q2")          # the bulletin has charts; the dispatch has none
    drawn = [p.chart for s in report.sections for p in s.parts if p.chart]
    assert drawn
    notes = [charts.omitted(c) for c in drawn]
    assert all("图表生成失败，已略去，数据见上表" in n for n in notes)

    data = build.render(report, "docx")
    document = docx.Document(io.BytesIO(data))
    text = [p.text for p in document.paragraphs]
    assert all(n in text for n in notes)
    assert not document.inline_shapes
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]

    wb = openpyxl.load_workbook(io.BytesIO(build.render(report, "xlsx")))
    cells = {c.value for ws in wb for row in ws.iter_rows() for c in row}
    assert all(n in cells for n in notes)
    assert not any(ws._images for ws in wb)


def test_charts_drawn_at_once_each_get_their_own_image(monkeypatch):
    """kaleido's sync server hands a result to whichever caller asks next; charts.png draws one
    at a time (one drawer per process), so two downloads at once never swap their charts.  A stand-in renderer that
    yields the thread mid-draw (as the server's queue does) swaps them without the lock."""
    import random
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor
    results: list = []
    slot = threading.Lock()

    def render(chart, width, height):          # tasks done in order; each caller takes the next result
        with slot:
            results.append(chart.title)
        time.sleep(random.uniform(0, 0.02))    # a caller may be late to ask for its result
        with slot:
            return results.pop(0).encode()

    monkeypatch.setattr(charts, "_draw", render)
    made = [Chart("trend", f"图{i}", ["1月"], ["红色预警"], [[i]]) for i in range(24)]
    with ThreadPoolExecutor(8) as pool:
        drawn = list(pool.map(charts.png, made))
    assert drawn == [c.title.encode() for c in made]


def test_a_drawing_that_never_finishes_is_not_waited_for(monkeypatch):
    from concurrent.futures import Future
    monkeypatch.setattr(charts, "DRAW_TIMEOUT_S", 0.2)
    assert charts.drawn(Future()) is None                 # a browser that died while starting


# --- a drawing that hangs costs that one chart (issue 20.7) ----------------------------

def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


HUNG = "卡住的图"


def _sleepy_render(chart, width, height):
    """Stands in for kaleido in the drawer (forked, so it is this very function): the chart
    titled HUNG never finishes, as when chromium died while starting."""
    import time
    if chart.title == HUNG:
        time.sleep(600)
    return _tiny_png()


@pytest.fixture
def hanging_drawer(monkeypatch):
    """A drawer of its own (forked, to run _sleepy_render), with a 2-second deadline."""
    monkeypatch.setenv("ZCPH_IMPORT_START", "fork")
    monkeypatch.setattr(charts, "_render", _sleepy_render)
    monkeypatch.setattr(charts, "CHART_SECONDS", 2.0)
    drawer = charts._Drawer()
    monkeypatch.setattr(charts, "_drawer", drawer)
    yield drawer
    drawer.stop()


def test_a_hung_drawing_is_killed_at_its_deadline_and_the_next_chart_draws_at_once(hanging_drawer, caplog):
    import time
    ok = Chart("trend", "第一张", ["1月"], ["红色预警"], [[1]])
    assert charts.png(ok) == _tiny_png()
    first = hanging_drawer.proc
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger=charts.log.name):
        assert charts.png(dataclasses_replace(ok, title=HUNG)) is None
    took = time.monotonic() - started
    assert 2.0 <= took < 10, took                  # the deadline, and no second try of a hang
    assert not first.is_alive()                    # the hung drawer was killed
    assert [r.getMessage() for r in caplog.records if r.name == charts.log.name and "TimeoutError" in r.getMessage()]
    started = time.monotonic()
    assert charts.png(dataclasses_replace(ok, title="下一张")) == _tiny_png()
    assert time.monotonic() - started < 10         # before the fix: 120 s, then dropped
    assert hanging_drawer.proc.pid != first.pid


def test_the_word_file_loses_only_the_hung_chart(hanging_drawer):
    import time
    report = build.build(rulekit.ledgers(assets=[{"asset_id": "A1", "asset_name": "养殖场", "operating_status": "不正常"}]),
                         "quarterly", "2024Q2")
    made = report.charts()
    assert len(made) >= 2
    hung = made[0]
    hung.title = HUNG             # the first chart drawn hangs; the one after it draws
    started = time.monotonic()
    document = docx.Document(io.BytesIO(build.render(report, "docx")))
    assert time.monotonic() - started < 60
    text = [p.text for p in document.paragraphs]
    assert charts.omitted(hung) in text
    assert not [c for c in made[1:] if charts.omitted(c) in text]
    assert len(document.inline_shapes) == len(made) - 1


def dataclasses_replace(chart, **changes):
    import dataclasses
    return dataclasses.replace(chart, **changes)
