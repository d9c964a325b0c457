"""Safe to hand out: exports that open in Excel without running a formula (cells and
column headers alike), and error texts that name no folder of the server."""
from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HIDDEN_PATH = "[路径]"
# An absolute path (a quote may open it; a word, ')' or ']' before '/' is a division) or a URL.
_PATH = re.compile(r"[A-Za-z][\w+.-]*://[^\s'\"]+|\[路径\](?:/[^\s/'\"`),;:]+)*/?|~?(?<![\w)\]])(?:/[^\s/'\"`),;:]+)+/?")


def safe_text(value: object) -> object:
    """A text starting with = + - @ (or a tab/CR) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _safe_column(col: pd.Series) -> pd.Series:
    """safe_text over a column, touching only the cells that need it: a text dtype is tested
    in one vectorised pass (a million cells one by one took seconds in the CLI's exports)."""
    if col.dtype != object:
        risky = col.str.startswith(_FORMULA_START).fillna(False).astype(bool)
    else:
        risky = col.map(lambda v: isinstance(v, str) and v.startswith(_FORMULA_START)).astype(bool)
    if not risky.any():
        return col
    out = col.astype(object)
    out[risky] = "'" + out[risky].astype(str)
    return out


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise the column names and every text column; numbers stay numbers (a
    negative amount is not a formula)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = _safe_column(out[col])
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = pd.MultiIndex.from_tuples([tuple(safe_text(c) for c in col) for col in out.columns])
    else:
        out.columns = [safe_text(c) for c in out.columns]
    return out


def hide_paths(text: str) -> str:
    """The text with every server folder and absolute path (and URL) replaced by [路径]."""
    folders = {os.environ.get("ZCPH_DATA_DIR", ""), tempfile.gettempdir(), str(Path(__file__).resolve().parents[1]),
               sys.prefix, os.path.expanduser("~")}
    for folder in sorted((f for f in folders if len(f) > 1), key=len, reverse=True):
        text = text.replace(folder, HIDDEN_PATH)
    return _PATH.sub(HIDDEN_PATH, text)
