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
# whole banner, and monthly/ sorts a submitted part before anyone views it; every other
# query answers a page, report or export for one user.
SCOPE_FREE = ("rules", "facts", "filters", "monthly")


@pytest.mark.parametrize("path", [p for p in QUERIES if p.parent.name not in SCOPE_FREE],
                         ids=lambda p: str(p.relative_to(sql.QUERY_DIR)))
def test_every_question_a_user_asks_binds_the_scope(path):
    """A scope is enforced in the data layer: every such query reads $filters (it carries
    the scope) — through a macro of queries/filters/sidebar.sql or directly."""
    assert "filters" in sql.params_in(path.read_text(encoding="utf-8")), \
        f"{path.relative_to(sql.QUERY_DIR)} does not read $filters, so a user's scope would not apply"
