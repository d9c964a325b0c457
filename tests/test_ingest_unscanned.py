"""A file the command line names (no budget) is scanned only where calamine's range asks for it
(issue 20.8): the same verdicts as the scan beside every read, without its cost on a normal sheet."""
from __future__ import annotations

import pytest

import hostile_files as H
from dashboard.ingest import guard, jobs, load_files


@pytest.fixture(autouse=True)
def parallel(monkeypatch):
    """Per-sheet reads (the path a 100,000-asset file takes), forked so patches reach the workers."""
    monkeypatch.setattr(jobs, "PARALLEL_BYTES", 0)
    monkeypatch.setenv("ZCPH_IMPORT_START", "fork")


def path_of(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def no_scan(*_a, **_k):
    raise AssertionError("scanned")


def test_a_normal_sheet_named_on_the_command_line_is_not_scanned_but_an_upload_is(tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "scan_sheet", no_scan)
    r = load_files([path_of(tmp_path, "台账.xlsx", H.ledger())], use_saved=False)
    assert r.usable and not r.fatal and len(r.tables["assets"]) == 3
    r = load_files([("台账.xlsx", H.ledger())], use_saved=False)        # an upload: scanned, here in vain
    assert not r.usable and any("读取失败（AssertionError）" in m for m in r.fatal), r.fatal


@pytest.mark.parametrize("ref", ["XFD100000", "CV100000"], ids=["calamine-dies", "calamine-holds-it"])
def test_a_stray_cell_is_dropped_as_the_scan_drops_it(tmp_path, ref):
    """XFD100000: calamine cannot allocate the range, its read dies and the scan runs then;
    CV100000 (10 million cells): calamine holds it, and its read scans before using it."""
    r = load_files([path_of(tmp_path, "台账.xlsx", H.with_stray(H.ledger(), ref, "误录"))], use_saved=False)
    assert r.usable and len(r.tables["assets"]) == 3, r.fatal
    doubts = [i for i in r.issues if i.kind == "doubt" and ref in i.reason]
    assert len(doubts) == 1 and doubts[0].row == 100000 and "A1:G4" in doubts[0].reason


def test_cells_everywhere_are_refused_with_the_range(tmp_path):
    r = load_files([path_of(tmp_path, "散.xlsx", H.scattered(H.ledger()))], use_saved=False)
    assert not r.usable
    assert any("A1:XFD1048576" in m and "资产台账" in m for m in r.fatal), r.fatal


def test_a_dtd_in_a_sheet_is_refused_before_calamine_reads_it(tmp_path):
    r = load_files([path_of(tmp_path, "笑.xlsx", H.laughs_in_sheet(H.ledger()))], use_saved=False)
    assert not r.usable and any("DTD" in m for m in r.fatal), r.fatal


def test_the_range_that_needs_no_scan():
    assert guard.small(100_003, 42) and guard.small(1_048_576, 4) and guard.small(5, 16_384)
    assert not guard.small(100_000, 100) and not guard.small(1_048_577, 1) and not guard.small(1, 16_385)


def two_sheets(stray: str | None = None) -> bytes:
    """Two small asset sheets read in one job (jobs.SMALL_BYTES); the second repeats the first's
    three keys and may hold a stray cell."""
    far = (f'<row r="100000"><c r="{stray}" t="inlineStr"><is><t>误录</t></is></c></row>'.encode()
           if stray else b"")
    return H.workbook({"资产台账": H.ledger_rows(3), "资产台账（续）": H.ledger_rows(5) + far})


@pytest.mark.parametrize("stray", [None, "XFD100000", "CV100000"])
def test_small_sheets_read_in_one_job_keep_each_sheets_outcome(tmp_path, monkeypatch, stray):
    if stray is None:
        monkeypatch.setattr(guard, "scan_sheet", no_scan)
    r = load_files([path_of(tmp_path, "两表.xlsx", two_sheets(stray))], use_saved=False)
    assert r.usable and not r.fatal, r.fatal
    assert sorted(r.tables["assets"].asset_id) == [f"K{n:07d}" for n in range(2, 7)]
    dup = [i for i in r.issues if i.kind == "rejected" and i.sheet == "资产台账（续）"]
    assert len(dup) == 3 and all("重复" in i.reason for i in dup)
    doubts = [i for i in r.issues if i.kind == "doubt" and stray and stray in i.reason]
    assert len(doubts) == (1 if stray else 0)
    if stray:
        assert doubts[0].sheet == "资产台账（续）" and "A1:G6" in doubts[0].reason
