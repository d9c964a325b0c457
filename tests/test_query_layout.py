"""The layout of queries/: every query file says which rules it concerns and who runs it,
every rule of the spec is named by some query and by some test, no query is orphaned.

A query's header is the run of `--` lines it opens with; two of them are labelled:

    -- rules: C1–C6                     (IDs; a range A1–A6 or A1-A6 names every ID in it)
    -- used by: pages/income.py, dashboard/reports/content.py

A labelled line continues on the next header line when it ends with a separator
(`,`, `，`, `、`) or when the next line is indented (`--   more`).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from dashboard import sql

QUERIES = sorted(sql.QUERY_DIR.rglob("*.sql"))
NAMES = {p: p.relative_to(sql.QUERY_DIR).with_suffix("").as_posix() for p in QUERIES}
TESTS = Path(__file__).resolve().parent
CALLER = re.compile(r"[\w./]+\.py")
LABEL = re.compile(r"^\s*[\w ]+:")
RANGE = re.compile(r"\b([A-Z]+)(\d+)\s*[–-]\s*([A-Z]+)?(\d+)\b")
ID = re.compile(r"\b[A-Z]+\d+\b|\bIDLE\b")

# The spec's rule IDs (policy-rules.md): idle and low-efficiency, warnings, collection,
# distribution, disposal, sign-off tiers, milestones.
SPEC_IDS = (["IDLE"] + [f"LE{i}" for i in range(1, 5)] + [f"Y{i:02d}" for i in range(1, 10)]
            + [f"R{i:02d}" for i in range(1, 11)] + [f"C{i}" for i in range(1, 7)]
            + [f"D{i}" for i in range(1, 7)] + [f"DP{i}" for i in range(1, 7)]
            + [f"T{i}" for i in range(1, 5)] + [f"M{i}" for i in range(1, 7)])
SPEC_IDS += [f"DQ{i}" for i in range(1, 5)]          # verification.md §2: data quality (queries/dq/)


def header(path: Path) -> list[str]:
    """The text of the comment lines the file opens with (without the `--`)."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:])
    return lines


def labelled(path: Path, label: str) -> list[str]:
    """Every `-- <label>:` line of the header, with its continuation lines, as one text each."""
    lines, out, i = header(path), [], 0
    while i < len(lines):
        text = lines[i].strip()
        if text.lower().startswith(label + ":"):
            parts = [text[len(label) + 1:]]
            while i + 1 < len(lines) and not LABEL.match(lines[i + 1]) and lines[i + 1].strip() and (
                    parts[-1].rstrip().endswith((",", "，", "、")) or lines[i + 1].startswith("   ")):
                i += 1
                parts.append(lines[i].strip())
            out.append(" ".join(parts))
        i += 1
    return out


def expand(text: str) -> set[str]:
    """The rule IDs a `rules:` text names: 'Y01–Y09, R02' → {'Y01', …, 'Y09', 'R02'}."""
    ids = set(ID.findall(text))
    for prefix, lo, prefix_to, hi in RANGE.findall(text):
        if prefix_to and prefix_to != prefix:
            continue
        ids |= {f"{prefix}{n:0{len(lo)}d}" for n in range(int(lo), int(hi) + 1)}
    return ids


def test_there_are_queries_in_role_folders():
    assert len(QUERIES) > 40
    assert {n.split("/")[0] for n in NAMES.values()} >= {"facts", "rules", "filters", "shared"}
    assert all("/" in n for n in NAMES.values()), "a query outside a role folder"


# --- a. the header says which rules and which callers ---------------------------------

@pytest.mark.parametrize("path", QUERIES, ids=lambda p: NAMES[p])
def test_header_names_rules_and_callers(path):
    name = NAMES[path]
    assert header(path), f"{name}.sql does not open with a comment header"
    assert labelled(path, "rules"), f"{name}.sql: no '-- rules:' line in the header"
    used_by = labelled(path, "used by")
    assert used_by, f"{name}.sql: no '-- used by:' line in the header"
    callers = [c for text in used_by for c in CALLER.findall(text)]
    assert callers, f"{name}.sql: '-- used by:' names no file (write paths: pages/overview.py)"
    for caller in callers:
        file = ROOT / caller
        assert file.is_file(), f"{name}.sql: used by {caller}, which does not exist"
        assert name in file.read_text(encoding="utf-8"), f"{name}.sql: {caller} does not mention '{name}'"


# --- b. every rule of the spec is named by a query and by a test --------------------------

def test_range_expansion():
    assert expand("Y01–Y03, R10 and LE1-LE2; M1–M4, M6") == {
        "Y01", "Y02", "Y03", "R10", "LE1", "LE2", "M1", "M2", "M3", "M4", "M6"}
    assert expand("IDLE, T1–T4 (sign-off tier)") == {"IDLE", "T1", "T2", "T3", "T4"}
    assert expand("every rule") == set()


def test_every_spec_rule_is_named_in_a_rules_line():
    named = {i for p in QUERIES for text in labelled(p, "rules") for i in expand(text)}
    assert [r for r in SPEC_IDS if r not in named] == []


def test_every_spec_rule_is_named_by_a_test():
    texts = [p.read_text(encoding="utf-8") for p in TESTS.rglob("*.py")
             if p.resolve() != Path(__file__).resolve()]
    missing = [r for r in SPEC_IDS if not any(re.search(rf"(?<!\w){r}(?!\w)", t) for t in texts)]
    assert missing == []


# --- c. no query file is unreferenced --------------------------------------------------

def test_every_query_is_run_by_the_code():
    code = "\n".join(p.read_text(encoding="utf-8") for folder in ("dashboard", "pages")
                     for p in (ROOT / folder).rglob("*.py"))
    assert [n for n in NAMES.values() if n not in code] == []


# --- d. a $name in a comment is prose, not a parameter -------------------------------

def test_used_params_ignore_a_parameter_named_only_in_a_comment():
    text = ("-- $yr is the last full year; $limit is not used here\n"
            "SELECT * FROM t WHERE d <= $as_of   -- not after $as_of, nor $offset\n"
            "  AND y = $yr\n")
    bind = {"as_of": 1, "yr": 2, "limit": 3, "offset": 4, "other": 5}
    assert sql.params_in(text) == {"as_of", "yr"}
    assert sql.used_params(text, bind) == {"as_of": 1, "yr": 2}
    assert sql.used_params("-- only $as_of in prose\nSELECT 1", bind) == {}



# The pipeline (rules/), the load-time facts (facts/) and the macros themselves judge the
# whole banner (and dq/, DQ1–DQ4 over the whole ledger), and monthly/ sorts a submitted part before anyone views it; every other
# query answers a page, report or export for one user.
SCOPE_FREE = ("rules", "facts", "filters", "monthly", "dq")


@pytest.mark.parametrize("path", [p for p in QUERIES if p.parent.name not in SCOPE_FREE],
                         ids=lambda p: str(p.relative_to(sql.QUERY_DIR)))
def test_every_question_a_user_asks_binds_the_scope(path):
    """A scope is enforced in the data layer: every such query reads $filters (it carries
    the scope) — through a macro of queries/filters/sidebar.sql or directly."""
    assert "filters" in sql.params_in(path.read_text(encoding="utf-8")), \
        f"{path.relative_to(sql.QUERY_DIR)} does not read $filters, so a user's scope would not apply"


# --- e. display formats are declared next to the SQL (issue 20.7) ------------------------

def test_formats_lines_are_read_from_the_header_only():
    text = ("-- The question.\n-- used by: pages/x.py\n-- formats: cost=万元, ratio=%，seen=日期\n"
            "-- formats: other_cost = 万元\nSELECT 1  -- formats: late=万元\n")
    assert sql.formats_in(text) == {"cost": "万元", "ratio": "%", "seen": "日期", "other_cost": "万元"}
    assert sql.formats_in("SELECT 1") == {}
    with pytest.raises(ValueError, match="元"):
        sql.formats_in("-- formats: cost=元\nSELECT 1")            # a typo is refused, not ignored
    with pytest.raises(ValueError):
        sql.formats_in("-- formats: cost 万元\nSELECT 1")


def test_a_declared_column_is_formatted_whatever_its_name(sample_ev, tmp_path, monkeypatch):
    from dashboard.ui import fmt
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "declared.sql").write_text(
        "-- A column named nowhere else, declared.\n-- formats: mystery_money=万元, mystery_ratio=%\n"
        "SELECT 123456.0 AS mystery_money, 0.25 AS mystery_ratio, 7 AS plain", encoding="utf-8")
    monkeypatch.setattr(sql, "QUERY_DIR", tmp_path)
    frame = sample_ev.frame("probe/declared")
    assert "mystery_money" not in fmt.MONEY and frame.attrs["formats"] == {"mystery_money": "万元", "mystery_ratio": "%"}
    shown, config = fmt.display(frame)
    assert list(shown.columns) == ["mystery_money（万元）", "mystery_ratio", "plain"]
    assert shown.iloc[0].tolist() == [12.35, 25.0, 7]
    assert config["mystery_ratio"]["type_config"]["format"] == "%.2f%%"
    frame.attrs.clear()                                     # the same frame without its query: by name
    assert fmt.display(frame)[0].iloc[0].tolist() == [123456.0, 0.25, 7]


_BIND = {"search": "", "sort": "asset_id", "desc": False, "limit": 5, "offset": 0}


def _page_queries() -> list[str]:
    """The queries a page shows (their `used by:` names a page or the pages' ui code)."""
    return [NAMES[p] for p in QUERIES
            if any(c.startswith(("pages/", "dashboard/ui/")) for t in labelled(p, "used by") for c in CALLER.findall(t))]


def test_every_money_and_share_column_a_page_shows_is_declared(sample_ev):
    """Each page query's columns (run on the sample): every one the names call money or a share
    is declared so; every declaration names a column of the result and agrees with its name; and
    the table a page draws is the same with the declarations as without (pages look as before)."""
    from decimal import Decimal

    import pandas as pd
    from dashboard import template
    from dashboard.filters import Filters
    from dashboard.ui import fmt
    names = _page_queries()
    assert len(names) > 30
    prev = {"prev_rule_hits": sample_ev.arrow("shared/previous_warnings"),
            "prev_levels": sample_ev.arrow("shared/previous_assets"),
            "prev_assets": sample_ev.arrow("shared/previous_assets")}
    compared = {"shared/changes": prev, "shared/resolved_checks": {"prev_checks": sample_ev.arrow("shared/previous_checks")}}
    known = sample_ev._params(Filters(), {})
    problems, declared_somewhere = [], 0
    for name in names:
        text = sql.text(name)
        bind = {**{k: None for k in sql.params_in(text) if k not in known}, **_BIND, "paths": list(template.PATHS)}
        frame = sample_ev.frame(name, Filters(), compared.get(name),
                                **sql.used_params(text, bind))
        declared = sql.formats(name)
        declared_somewhere += bool(declared)
        for column in frame.columns:
            guessed = fmt.by_name(column)           # (the sidebar's `value` is a town's name: not money)
            numeric = pd.api.types.is_numeric_dtype(frame[column]) or frame[column].map(
                lambda v: isinstance(v, (int, float, Decimal))).all()
            if guessed in (sql.MONEY, sql.SHARE) and numeric and declared.get(column) != guessed:
                problems.append(f"{name}.sql: {column} is shown in {guessed} but not declared so ('-- formats:')")
        for column, kind in declared.items():
            if column not in frame.columns:
                problems.append(f"{name}.sql declares {column}, which it does not return")
            elif fmt.by_name(column) not in (None, kind):
                problems.append(f"{name}.sql declares {column}={kind}; its name says {fmt.by_name(column)}")
        bare = frame.copy()
        bare.attrs.clear()
        try:
            before, config_before = fmt.display(bare)
        except (ArithmeticError, ValueError, TypeError):     # not a table a page shows (the sidebar's values)
            continue
        ours, our_config = fmt.display(frame)
        if not (ours.equals(before) and list(ours.columns) == list(before.columns) and our_config == config_before):
            problems.append(f"{name}.sql: the page's table changed with its declared formats")
    assert problems == []
    assert declared_somewhere >= 25
