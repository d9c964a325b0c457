"""Shared by the AppTest files: the sample, the sample evaluated without the app, and
an isolated data folder with fresh Streamlit caches for every test."""
import datetime as dt
import os
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import pipeline, rules

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2024, 12, 31)          # the sample's data date (Yr = 2024)


def sample_path() -> Path:
    path = Path(os.environ.get("ZCPH_SAMPLE") or ROOT / "data" / "sample.xlsx")
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing")
        pytest.skip(f"{path} not generated yet")
    return path


@pytest.fixture(scope="module")
def direct():
    """The sample evaluated without the app: the reference for every count."""
    bench = pipeline.open_ledgers([sample_path()])
    rules.evaluate(bench.con, AS_OF)
    return bench.con


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("ZCPH_DATA_DIR", str(tmp_path / "var"))
    st.cache_data.clear()
    st.cache_resource.clear()


def app(page: str | None = None) -> AppTest:
    """The app on the bundled sample, run once (and switched to pages/<page>.py)."""
    sample_path()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    if page:
        at.switch_page(f"../pages/{page}.py").run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.main.error], [e.value for e in at.main.error]


def table_with(at: AppTest, column: str, value=None):
    """The first table with that column (holding `value` in it, when given)."""
    for d in at.main.dataframe:
        if column in d.value.columns and (value is None or value in set(d.value[column])):
            return d.value
    raise AssertionError(f"no table with {column} {value or ''}")


def one(con, sql: str, *params):
    return con.execute(sql, list(params)).fetchone()[0]
