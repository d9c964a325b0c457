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
from dashboard.ingest import _read_sheet, guard, jobs, load_files, read, tasks, worker


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
    name, grids = jobs.sheets_of(("台账.xlsx", H.with_stray(H.ledger())), 10 ** 7, rows=10)
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


# --- an upload's budget, and workers that end with their session (issue 18, item 6) ----------

@pytest.fixture
def budget(monkeypatch):
    """Set the upload budget's settings for one test: budget(cells=…, rows=…, columns=…)."""
    def set_(cells=None, rows=None, columns=None):
        for env, value in (("ZCPH_UPLOAD_CELL_BUDGET", cells), ("ZCPH_UPLOAD_ROW_BUDGET", rows),
                           ("ZCPH_UPLOAD_MAX_COLUMNS", columns)):
            if value is not None:
                monkeypatch.setenv(env, str(value))
    return set_


def test_the_budget_is_a_setting(budget):
    assert guard.Budget.resolve() == guard.Budget(20_000_000, 500_000, 1_000)
    budget(cells="30,000,000", rows="abc", columns=0)         # not a positive number: the default
    assert guard.Budget.resolve() == guard.Budget(30_000_000, 500_000, 1_000)


def test_cells_exactly_at_the_budget_pass_one_over_is_refused(budget, mode):
    """The ledger is 4 rows × 7 columns = 28 cells."""
    budget(cells=28)
    assert load("台账.xlsx", H.ledger()).usable
    budget(cells=27)
    t = time.perf_counter()
    msg = refused(load("台账.xlsx", H.ledger()), "台账.xlsx")
    assert time.perf_counter() - t < 10
    assert msg == ("文件“台账.xlsx”工作表“资产台账”约有4行×7列，超过单次上传的单元格上限（27个）。"
                   "请拆分后分次上传，或请管理员调整上限。")


def test_rows_at_the_budget_pass_one_over_is_refused_as_the_scan_streams(budget, mode):
    """The million-row workbook in small: the scan stops at the chunk that crosses the budget."""
    data = H.million_rows(2_000)                      # 2,001 rows with the header
    budget(rows=2_001)
    r = load("百万行.xlsx", data)
    assert not any("上限" in m for m in r.fatal), r.fatal
    budget(rows=2_000)
    refused(load("百万行.xlsx", data), "百万行.xlsx", "工作表“资产台账”", "2,001行×", "超过单次上传的行数上限（2,000行）")


def test_a_long_sheet_is_refused_before_the_end_of_its_xml(budget, monkeypatch, mode):
    monkeypatch.setattr(guard, "CHUNK", 4096)
    # the workers must see the patched CHUNK: forked from this process, not from a fork server
    # (which the suite gets once an earlier test has left a thread running, e.g. argon2's pool)
    monkeypatch.setenv("ZCPH_IMPORT_START", "fork")
    budget(rows=1_000)
    msg = refused(load("百万行.xlsx", H.million_rows(5_000)), "百万行.xlsx", "至少有", "超过单次上传的行数上限（1,000行）")
    seen = int(msg.split("至少有")[1].split("行")[0].replace(",", ""))
    assert 1_000 < seen < 1_200                        # stopped within a chunk of the limit


def test_16384_columns_are_refused_by_the_column_limit(mode):
    """Every row with a cell at XFD (references), and rows of 16,384 cells without (positions)."""
    refused(load("宽.xlsx", H.columns_16384_refs()), "宽.xlsx", "工作表“资产台账”", "×16,384列",
            "超过单次上传每张表的列数上限（1,000列）")
    refused(load("宽.xlsx", H.columns_16384(3)), "宽.xlsx", "工作表“资产台账”", "×16,384列", "列数上限（1,000列）")


def test_columns_at_the_limit_pass(budget, mode):
    budget(columns=16_384)
    r = load("宽.xlsx", H.columns_16384_refs())
    assert not any("上限" in m for m in r.fatal), r.fatal
    budget(columns=16_383)
    refused(load("宽.xlsx", H.columns_16384_refs()), "宽.xlsx", "×16,384列", "列数上限（16,383列）")


def test_cells_without_references_are_counted_by_position(budget, mode):
    """A zip bomb of alike cells without r: rows holding cells × the most cells in a row."""
    data = H.dense_bomb(200, 50)                      # 10,000 cells, refused before calamine sees them
    budget(cells=10_000)
    r = load("炸弹.xlsx", data)
    assert not any("上限" in m for m in r.fatal), r.fatal
    budget(cells=9_999)
    refused(load("炸弹.xlsx", data), "炸弹.xlsx", "工作表“Sheet1”", "200行×50列", "单元格上限（9,999个）")


def test_a_zip_bomb_is_refused_from_its_directory():
    data = H.dense_bomb(60_000, 45)                   # ~180 KB → 44 MB of XML
    t = time.perf_counter()
    msg = refused(load("炸弹.xlsx", data), "炸弹.xlsx", "解压后过大", "压缩炸弹")
    assert time.perf_counter() - t < 10
    assert "MB" in msg and "倍" in msg


def test_the_sheets_together_over_the_budget_refuse_the_file(budget, mode):
    data = H.workbook({"资产台账": H.ledger_rows(3), "资产台账（续）": H.ledger_rows(3)})   # 2 × 4 × 7
    budget(cells=56)
    assert load("两表.xlsx", data).usable
    budget(cells=55)
    msg = refused(load("两表.xlsx", data), "两表.xlsx", "各工作表合计约有8行、56个单元格", "单元格上限（55个）")
    assert "“资产台账”4行×7列" in msg and "“资产台账（续）”4行×7列" in msg


def test_csv_and_xls_have_the_budget_too(budget):
    csv = "资产编号,资产名称,资产类别,所在镇,所在嘎查村,建成年度,资产原值（元）\n" + \
          "".join(",".join(map(str, row)) + "\n" for row in H.ROWS)
    budget(cells=28)
    assert load("台账.csv", csv.encode()).usable
    assert load("旧.xls", H.xls()).usable
    budget(cells=27)
    refused(load("台账.csv", csv.encode()), "台账.csv", "约有4行×7列", "单元格上限（27个）")
    refused(load("旧.xls", H.xls()), "旧.xls", "工作表“资产台账”约有4行×7列", "单元格上限（27个）")


def test_a_file_the_command_line_names_has_no_budget(budget, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(H.ledger())
    budget(cells=1)
    assert load_files([path], use_saved=False).usable
    refused(load("台账.xlsx", H.ledger()), "台账.xlsx", "单元格上限（1个）")


def test_the_mapping_preview_offers_no_sheet_over_the_budget(budget):
    budget(cells=27)
    assert jobs.sheets_of(("台账.xlsx", H.ledger()), 10 ** 7, rows=10)[1] == []


class Gone(BaseException):
    pass


def test_a_worker_whose_session_is_gone_is_killed(tmp_path, monkeypatch):
    """The caller leaves 0.5 s into a 30 s job: run() raises within about a second and the
    child is dead (its memory back with it)."""
    gone_at = time.monotonic() + 0.5
    procs = []

    def check():
        procs.extend(p for _, p in runner.running.values())
        if time.monotonic() > gone_at:
            raise Gone
    monkeypatch.setattr(worker, "session_check", lambda: check)
    runner = worker.Runner(worker.Limits(seconds=60), str(tmp_path))
    got = []
    runner.submit(H.sleep, (30,), 0, got.append)
    t = time.perf_counter()
    with pytest.raises(Gone):
        runner.run()
    assert time.perf_counter() - t < 2.5 and got == []
    assert procs and all(p.exitcode is not None for p in procs)
    assert not runner.running and not runner.pending


def test_a_session_still_there_lets_the_job_finish(tmp_path, monkeypatch):
    monkeypatch.setattr(worker, "session_check", lambda: lambda: None)
    runner = worker.Runner(worker.Limits(seconds=60), str(tmp_path))
    got = []
    runner.submit(H.sleep, (1.2,), 0, got.append)
    runner.run()
    assert [o.status for o in got] == ["ok"]


def test_the_streamlit_check_sees_a_stopped_run_and_a_closed_session(monkeypatch):
    from types import SimpleNamespace
    import streamlit.runtime as rt
    from streamlit.runtime.scriptrunner_utils import script_run_context as src
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException
    from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType
    assert worker.streamlit_check() is None                   # not in a script thread
    ctx = SimpleNamespace(session_id="s1", script_requests=SimpleNamespace(_state=ScriptRequestType.CONTINUE))
    monkeypatch.setattr(src, "get_script_run_ctx", lambda suppress_warning=False: ctx)
    active = {"s1"}
    monkeypatch.setattr(rt.Runtime, "exists", classmethod(lambda cls: True))
    monkeypatch.setattr(rt.Runtime, "instance", classmethod(
        lambda cls: SimpleNamespace(is_active_session=lambda sid: sid in active)))
    check = worker.streamlit_check()
    check()                                                  # running, session there: nothing
    active.clear()                                           # browser closed
    with pytest.raises(StopException):
        check()
    active.add("s1")
    ctx.script_requests._state = ScriptRequestType.STOP       # disconnect / rerun asks the run to stop
    with pytest.raises(StopException):
        check()
