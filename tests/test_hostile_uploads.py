"""No upload can take the server down (issue 9, item 6).

Every hostile file is made here (tests/hostile_files.py) from a small valid ledger.  Each
must end as a Chinese message naming the file, with load_files returning normally — the
pytest process surviving is itself the check that nothing aborted it — and the CLI exiting 2
with one Chinese line and no traceback.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from functools import partial

import pytest

import hostile_files as H
from conftest import ROOT
from dashboard.ingest import _read_sheet, jobs, load_files, read, tasks, worker


@pytest.fixture(params=["one job", "parallel"])
def mode(request, monkeypatch):
    """A small xlsx is read in one job; a big one as parallel per-sheet reads and scans.
    Every xlsx test runs both ways."""
    if request.param == "parallel":
        monkeypatch.setattr(jobs, "PARALLEL_BYTES", 0)
    return request.param


def load(name: str, data: bytes, **limits):
    return load_files([(name, data)], use_saved=False, **limits)


def refused(result, name: str, *words: str) -> str:
    """The one message about `name`; it must name the file and say `words`."""
    assert not result.usable
    msgs = [m for m in result.fatal if f"“{name}”" in m]
    assert msgs, result.fatal
    assert all(w in msgs[0] for w in words), msgs[0]
    return msgs[0]


def test_a_stray_cell_far_away_is_dropped_and_listed_as_a_doubt(mode):
    r = load("台账.xlsx", H.with_stray(H.ledger(), "XFD100000", "误录"))
    assert r.usable and len(r.tables["assets"]) == 3, r.fatal
    doubts = [i for i in r.issues if i.kind == "doubt" and "XFD100000" in i.reason]
    assert len(doubts) == 1
    d = doubts[0]
    assert (d.file, d.sheet, d.row) == ("台账.xlsx", "资产台账", 100000)
    assert "“误录”" in d.reason and "A1:G4" in d.reason


def test_cells_everywhere_in_a_huge_range_are_refused_with_the_range(mode):
    msg = refused(load("散.xlsx", H.scattered(H.ledger())), "散.xlsx", "A1:XFD1048576", "已拒绝读取")
    assert "资产台账" in msg


def test_shared_strings_declaring_four_billion_are_refused(mode):
    refused(load("串.xlsx", H.string_bomb(H.ledger())), "串.xlsx", "4,000,000,000", "共享字符串")


@pytest.mark.parametrize("build", [H.laughs_in_sheet, H.laughs_in_strings], ids=["sheet", "sharedStrings"])
def test_billion_laughs_are_refused(build, mode):
    t = time.perf_counter()
    refused(load("笑.xlsx", build(H.ledger())), "笑.xlsx", "DTD")
    assert time.perf_counter() - t < 60          # nothing was expanded


@pytest.mark.parametrize("build", [H.xxe_in_sheet, H.xxe_in_workbook], ids=["sheet", "workbook"])
def test_external_entities_are_refused_and_never_read(build, mode):
    r = load("外.xlsx", build(H.ledger()))
    refused(r, "外.xlsx", "DTD")
    said = " ".join(i.reason for i in r.issues) + " ".join(r.fatal)
    assert "root:" not in said and "/bin/" not in said


@pytest.mark.parametrize("size,words", [(100, ("已损坏",)), (3_000_000_000, ("解压后过大",))],
                         ids=["smaller", "larger"])
def test_a_zip_that_lies_about_its_sizes(size, words, mode):
    refused(load("谎.xlsx", H.lying_sizes(H.ledger(), size)), "谎.xlsx", *words)


def test_a_renamed_docx():
    refused(load("文档.xlsx", H.docx()), "文档.xlsx", "Word文档")


def test_truncated_xlsx_and_xls():
    good = H.ledger()
    refused(load("半.xlsx", good[:len(good) // 2]), "半.xlsx", "已损坏")
    old = H.xls()
    assert load("旧.xls", old).usable
    refused(load("半.xls", old[:len(old) // 2]), "半.xls", "不是有效的电子表格")


def test_a_100mb_line_of_commas_is_refused_quickly(tmp_path):
    path = tmp_path / "逗号.csv"
    with path.open("wb") as fh:
        for _ in range(100):
            fh.write(b"," * 1_000_000)
    t = time.perf_counter()
    r = load_files([path], use_saved=False, seconds=120)     # the guard: a hang ends as a message
    took = time.perf_counter() - t
    print(f"100 MB line of commas: {took:.2f} s")
    refused(r, "逗号.csv", "第1行", "超过每行上限")


def test_a_million_columns_are_refused():
    data = b",".join([b"a"] * 1_000_000) + b"\n1,2\n"
    refused(load("宽.csv", data, seconds=120), "宽.csv", "1,000,000列", "16,384")


@pytest.mark.parametrize("data", [b"\x80\x81\xff,\xfe\xfd\n" * 50,
                                  "资产编号,资产名称\nK001,车间\n".encode("gb18030") + b"\xff\xff\n"],
                         ids=["garbage", "gb18030-with-bad-bytes"])
def test_invalid_bytes_in_a_csv(data):
    refused(load("乱码.csv", data), "乱码.csv", "UTF-8/GB18030")


def test_a_worker_over_its_memory_ceiling_becomes_a_message():
    r = load("大.csv", H.big_csv(), memory_mb=16)
    refused(r, "大.csv", "超出内存上限（16MB）")


def test_calamine_dying_on_a_stray_cell_is_a_memory_outcome(tmp_path):
    """What the scan prevents: calamine reading the stray-cell sheet asks for 52 GB and aborts.
    In a worker that is an outcome like any other (and the speculative read's end in parallel mode)."""
    path = tmp_path / "stray.xlsx"
    path.write_bytes(H.with_stray(H.ledger()))
    runner = worker.Runner(worker.Limits(), str(tmp_path))
    got = []
    runner.submit(tasks.read_sheet, (partial(_read_sheet, []), "stray.xlsx", str(path), "资产台账", {}), 0, got.append)
    runner.run()
    assert [o.status for o in got] == ["memory"]


def test_a_worker_over_its_time_limit_becomes_a_message(sample_file, mode):
    r = load_files([sample_file], use_saved=False, seconds=0.001)
    refused(r, sample_file.name, "超过时间上限（0.001秒）")


@pytest.mark.parametrize("fn,args,status", [(H.abort, (), "crashed"), (H.segfault, (), "crashed"),
                                            (H.sleep, (5,), "timeout"), (H.allocate, (512,), "memory")])
def test_dead_children_become_outcomes(tmp_path, fn, args, status):
    runner = worker.Runner(worker.Limits(memory_mb=64, seconds=1), str(tmp_path))
    got = []
    runner.submit(fn, args, 0, got.append)
    runner.run()
    assert [o.status for o in got] == [status]
    f = jobs.FileRead(jobs.Batch.__new__(jobs.Batch), 0, "x.xlsx")
    f.batch.limits = runner.limits
    assert "“x.xlsx”" in f.message(got[0])


def in_process(path) -> dict:
    """The sample read the way load_files read it before the workers: here, sheet by sheet."""
    seen, frames = {}, {}
    for sheet, grid in read.book_sheets(path.name, read.open_book(path.name, str(path))):
        out = _read_sheet([], path.name, sheet, grid, seen)
        tasks.remember(seen, out)
        frames[out.load.kind] = out.frame
    return frames


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_the_sample_loads_identically_through_the_workers(sample_file, method, monkeypatch, mode):
    monkeypatch.setenv("ZCPH_IMPORT_START", method)
    r = load_files([sample_file], use_saved=False)
    assert r.usable and not r.fatal
    counts = {k: len(v) for k, v in r.tables.items()}
    if sample_file.samefile(ROOT / "data" / "sample.xlsx"):
        assert counts == {"assets": 800, "income": 346, "distribution": 556, "disposals": 45, "problems": 116}
    expected = in_process(sample_file)
    assert counts == {k: len(v) for k, v in expected.items()}
    for kind, frame in expected.items():
        assert frame.equals(r.tables[kind]), kind
    a = r.tables["assets"]
    assert a.asset_id.is_unique and a.source_row.min() >= 3


def test_a_duplicate_in_a_later_sheet_is_found_when_sheets_are_read_in_parallel(mode):
    """Sheets read at once cannot see each other's keys: a later sheet holding an earlier
    sheet's key is read again with them, so the report is the same either way."""
    import io
    import xlsxwriter
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name, rows in (("资产台账", H.ROWS), ("资产台账（续）", [H.ROWS[1], ["K009"] + H.ROWS[0][1:]])):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, ["资产编号", "资产名称", "资产类别", "所在镇", "所在嘎查村", "建成年度", "资产原值（元）"])
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, row)
    wb.close()
    r = load("两表.xlsx", buf.getvalue())
    assert sorted(r.tables["assets"].asset_id) == ["K001", "K002", "K003", "K009"]
    dup = [i for i in r.issues if i.kind == "rejected" and "K002" in i.reason]
    assert len(dup) == 1 and dup[0].sheet == "资产台账（续）" and "资产台账第3行" in dup[0].reason


def test_preview_grids_come_from_a_worker_without_the_stray():
    name, grids = read.sheets_of(("台账.xlsx", H.with_stray(H.ledger())), 10 ** 7, rows=10)
    assert name == "台账.xlsx"
    (sheet, grid), = grids
    assert sheet == "资产台账" and grid[1][0] == "K001" and len(grid) == 4 and len(grid[0]) == 7


@pytest.mark.parametrize("build", [H.string_bomb, lambda d: d[: len(d) // 2]], ids=["strings", "truncated"])
def test_the_cli_exits_2_with_one_chinese_line(tmp_path, build):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(build(H.ledger()))
    env = {**os.environ, "ZCPH_DATA_DIR": str(tmp_path / "data")}
    p = subprocess.run([sys.executable, "-m", "dashboard", "evaluate", str(path), "--as-of", "2024-12-31",
                        "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True,
                       timeout=120, env=env)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    assert "“坏.xlsx”" in lines[0]
