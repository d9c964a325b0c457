"""One entry for the page and the command line: ledgers + kind + period → file bytes."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from dashboard import baseline, ledgers, policy
from dashboard.ledgers import Ledgers
from dashboard.reports import content, periods
from dashboard.reports.document import Masthead, Report
from dashboard.scope import Scope

FORMATS = {".xlsx": "xlsx", ".docx": "docx"}
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def build(books: Ledgers, kind: str, period: str | periods.Period,
          params: dict | None = None, as_of: dt.date | None = None,
          previous: Ledgers | None = None, scope: Scope = Scope(),
          base: baseline.Baseline | None = None, edition=None) -> Report:
    """The report's content for `scope`; raises PeriodError / PolicyError with a Chinese message.
    `previous`: the saved month `base` names (compared_with opens it), else these ledgers earlier."""
    if isinstance(period, str):
        period = periods.parse(kind, period)
    saved = base is not None and base.saved is not None and previous is not None
    return content.gather(books, period, policy.resolve_params(params), as_of, previous, scope,
                          base.as_of if saved else None, base.label if saved else None, edition)


def compared_with(books: Ledgers, period: periods.Period) -> baseline.Baseline:
    """What the report of `period` on `books` compares with: baseline.before, as 总览."""
    return baseline.before(books.month, period.previous().end)


def default_as_of(books: Ledgers, period: periods.Period) -> dt.date:
    """数据截至 of a report nobody dated: a saved month's own (its data date, else its last day —
    what the sidebar and the exports say) when the period ends in that month, else the period's end."""
    if books.month and books.month == f"{period.end:%Y-%m}":
        return books.reference
    return period.end


def render(report: Report, fmt: str, mast: Masthead | None = None) -> bytes:
    """The file; a Word document gets the 红头 and 版记 of `mast` when given."""
    if fmt == "xlsx":
        from dashboard.reports import xlsx
        return xlsx.write(report)
    if fmt == "docx":
        from dashboard.reports import docx
        return docx.write(report, mast)
    raise ValueError(f"未知格式：{fmt}")


def default_issue_no(period: periods.Period) -> str:
    """期号: the month of a monthly dispatch, the quarter of a bulletin, one summary a year."""
    number = {"monthly": period.end.month, "quarterly": (period.end.month - 1) // 3 + 1}.get(period.kind, 1)
    return f"第{number}期"


def masthead_for(period: periods.Period, issued: dt.date | None = None) -> Masthead:
    """The command line's 红头: the stored defaults, the period's 期号, issued today."""
    from dashboard.store import settings
    return Masthead(issue_no=default_issue_no(period), issued=issued or dt.date.today(),
                    **settings.masthead_defaults())


def file_name(report: Report, fmt: str) -> str:
    """鄂托克前旗项目资产月调度_2024年5月.docx and its 附表 …_2024年5月_附表.xlsx — what the
    download buttons offer (the Word text points to “同期Excel附表”)."""
    scope = "" if report.scope == "全旗" else f"_{report.scope}"
    annex = "_附表" if fmt == "xlsx" else ""
    return f"鄂托克前旗项目资产{report.period.kind_name}{scope}_{report.period.label}{annex}.{fmt}"


def annex_path(docx_path: Path) -> Path:
    """Where the command line writes the Excel 附表 of a Word report: beside it."""
    return docx_path.with_name(f"{docx_path.stem}_附表.xlsx")


def run(kind: str, period_text: str, files: list[str], out: Path, params: dict,
        as_of: dt.date | None, mappings=(), edition=None) -> tuple[int, str]:
    """`python -m dashboard report`: (exit status, one line for the user)."""
    try:
        period = periods.parse(kind, period_text)
    except periods.PeriodError as exc:
        return 2, str(exc)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        return 2, f"输出文件“{out.name}”的扩展名应为 .xlsx 或 .docx"
    # No workbook: the saved (consolidated) month the period ends in, compared with the one
    # the previous period ends in when it was saved too.
    from dashboard.evaluate import saved_or_loaded
    books = saved_or_loaded(files, period.end.strftime("%Y-%m"), mappings)
    if isinstance(books, str):
        return 2, books
    base = compared_with(books, period)
    previous = ledgers.saved_month(base.saved) if base.saved else None
    report = build(books, kind, period, params, as_of or default_as_of(books, period), previous, base=base,
                   edition=edition)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render(report, fmt, masthead_for(period)))
    written = str(out)
    if fmt == "docx":            # the Word text points to its Excel 附表 for every list it shortens
        annex = annex_path(out)
        annex.write_bytes(render(report, "xlsx"))
        written += f"，附表：{annex}"
    if not files:                # the store's consolidated month left the server: attributed
        from dashboard.store import cli
        e = report.edition
        cli.record("report", written, 类型=report.period.kind_name, 期间=period_text, 格式=fmt,
                   政策版本=f"{e['document']}（{e['effective_from']}起施行）" if e else "")   # = Edition.label()
    f = report.section("overview").figures
    return 0, (f"已生成{report.period.label}{report.period.kind_name}：{written}（数据截至{report.as_of.isoformat()}，"
               f"红色预警{f['red']}项，黄色预警{f['yellow']}项）")
