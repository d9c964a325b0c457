"""Issue 20.6: every ZCPH_* setting is registered in dashboard/settings.py, read only through it
in the app, and documented in docs/operations.md's settings table."""
import re
from pathlib import Path

import pytest

from dashboard import settings

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"\bZCPH_[A-Z0-9_]*[A-Z0-9]")
PREFIX = "ZCPH" + "_"          # spelled apart so this file names no setting of its own
# a read of the environment by name: os.environ.get("ZCPH_…"), os.getenv(…), os.environ["ZCPH_…"] not assigned to
READ = re.compile(r"""(?:environ\.get|getenv)\(\s*["']ZCPH_|environ\[\s*["']ZCPH_[A-Z0-9_]+["']\s*\](?!\s*=[^=])""")


def used_names() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for folder in ("dashboard", "tests", ".ci", "deploy", "pages"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix not in (".pyc", ".xlsx", ".docx", ".duckdb") and "__pycache__" not in path.parts:
                for name in NAME.findall(path.read_text(encoding="utf-8", errors="replace")):
                    found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def documented_rows() -> dict[str, str]:
    """docs/operations.md's settings table: `| `ZCPH_…` | default | what |` rows by name."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `(ZCPH_[A-Z0-9_]+)` \|.*$", text, re.M)}


def test_every_setting_used_is_registered_and_documented():
    used = used_names()
    assert {"ZCPH_DATA_DIR", "ZCPH_DATABASE_URL", "ZCPH_TEST_DATABASE_URL", "ZCPH_UPLOAD_CELL_BUDGET"} <= set(used)
    unregistered = {n: sorted(p) for n, p in used.items() if n not in settings.SETTINGS}
    assert not unregistered, f"add these to dashboard/settings.py and docs/operations.md: {unregistered}"
    rows = documented_rows()
    assert set(rows) == set(settings.SETTINGS), (set(settings.SETTINGS) ^ set(rows))
    for name, setting in settings.SETTINGS.items():
        if setting.default is not None and name not in ("ZCPH_DATA_DIR", "ZCPH_SAMPLE"):
            shown = f"{setting.default:,}".removesuffix(".0")
            cell = rows[name].split("|")[2].strip()             # | name | default | what |
            assert cell == shown or cell.startswith(shown + " "), (name, shown, rows[name])
    stale = set(settings.SETTINGS) - set(used)
    assert not stale, f"registered but used nowhere: {stale}"


def test_the_app_reads_settings_only_through_dashboard_settings():
    readers = []
    for folder in ("dashboard", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "settings.py" and path.parent.name == "dashboard":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if READ.search(line):
                    readers.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not readers, "read these through dashboard.settings:\n" + "\n".join(readers)
    assert READ.search('x = os.environ.get("' + PREFIX + 'X")') and READ.search("os.environ['" + PREFIX + "X']")
    assert not READ.search('os.environ["' + PREFIX + 'X"] = "1"')


def test_getters_read_the_environment_on_every_call(monkeypatch, tmp_path):
    monkeypatch.delenv("ZCPH_UPLOAD_ROW_BUDGET", raising=False)
    assert settings.whole("ZCPH_UPLOAD_ROW_BUDGET") == 500_000
    monkeypatch.setenv("ZCPH_UPLOAD_ROW_BUDGET", "1,200")
    assert settings.whole("ZCPH_UPLOAD_ROW_BUDGET") == 1200
    for bad in ("0", "-5", "abc", "1.5", " "):
        monkeypatch.setenv("ZCPH_UPLOAD_ROW_BUDGET", bad)
        assert settings.whole("ZCPH_UPLOAD_ROW_BUDGET") == 500_000, bad
    assert settings.whole("ZCPH_UPLOAD_ROW_BUDGET", 7) == 7
    monkeypatch.setenv("ZCPH_CONSOLE_SECONDS", "2.5")
    assert settings.number("ZCPH_CONSOLE_SECONDS") == 2.5
    monkeypatch.setenv("ZCPH_CONSOLE_SECONDS", "0")
    assert settings.number("ZCPH_CONSOLE_SECONDS") == 10.0
    monkeypatch.delenv("ZCPH_IMPORT_WORKERS", raising=False)
    assert settings.whole("ZCPH_IMPORT_WORKERS") is None
    monkeypatch.delenv("ZCPH_DATA_DIR", raising=False)
    assert settings.data_dir() == ROOT / "var"
    monkeypatch.setenv("ZCPH_DATA_DIR", str(tmp_path))
    assert settings.data_dir() == tmp_path
    monkeypatch.setenv("ZCPH_DATABASE_URL", "  sqlite:///x.db ")
    assert settings.text("ZCPH_DATABASE_URL") == "sqlite:///x.db"
    monkeypatch.setenv("ZCPH_DATABASE_URL", "")
    assert settings.text("ZCPH_DATABASE_URL") == ""
    with pytest.raises(KeyError):
        settings.text(PREFIX + "NOT_REGISTERED")
