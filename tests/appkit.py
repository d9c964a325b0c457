"""Shared by the AppTest files: the sample, the sample evaluated without the app, and
an isolated data folder with fresh Streamlit caches for every test."""
import datetime as dt
import os
from pathlib import Path

import pytest
import streamlit as st

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
