"""Safe to hand out: exports that open in Excel without running a formula (cells and
column headers alike), and error texts that name no folder of the server."""
from __future__ import annotations

import csv
import io
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


def csv_bytes(frame) -> bytes:
    """A table (DataFrame or Arrow table) as a CSV Excel opens safely (exports.md): UTF-8 with
    BOM, so Chinese reads right; CRLF lines, so every field holding a CR or LF is quoted and
    cannot start a new row that begins with a formula; headers and cells neutralised.

    The bytes are those of `safe_frame(frame).to_csv(index=False, lineterminator="\\r\\n")`
    (tests/test_safe_csv.py holds the two together), made column by column in Arrow:
    pandas' writer took 0.8 s for the 100,000 assets of the CLI's exports, this 0.1 s."""
    return _BOM + csv_text(frame).encode("utf-8")


def write_csv(frame, path: Path) -> None:
    """csv_bytes written to a file (the CLI's exports)."""
    Path(path).write_bytes(csv_bytes(frame))


_BOM = b"\xef\xbb\xbf"
_NEEDS_QUOTES = r'[,"\r\n]'                 # what the csv module quotes (QUOTE_MINIMAL, CRLF lines)
_FORMULA_RE = "^[=+\\-@\t\r]"              # _FORMULA_START as one anchored pattern


def csv_text(frame) -> str:
    """The CSV text of csv_bytes, without the BOM."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if isinstance(frame, pa.Table):
        if frame.num_columns == 0 or not all(_is_arrow_text(c.type) for c in frame.columns):
            frame = frame.to_pandas()     # as Evaluated.frame gives it: numbers formatted by pandas
        else:
            names, columns = frame.column_names, [_arrow_strings(c) for c in frame.columns]
    if not isinstance(frame, pa.Table):
        if isinstance(frame.columns, pd.MultiIndex) or frame.shape[1] == 0:
            return safe_frame(frame).to_csv(index=False, lineterminator="\r\n")
        try:
            names, columns = list(frame.columns), [_pandas_column(frame.iloc[:, j]) for j in range(frame.shape[1])]
        except AttributeError:            # a pandas without its csv helper: its own writer
            return safe_frame(frame).to_csv(index=False, lineterminator="\r\n")
    head = io.StringIO()
    csv.writer(head, lineterminator="\r\n").writerow([safe_text(c) for c in names])
    if not len(columns[0]):
        return head.getvalue()
    if len(columns) == 1:      # the csv module quotes a record that is one empty field
        lines = pc.if_else(pc.equal(columns[0], ""), '""', columns[0])
    else:
        lines = pc.binary_join_element_wise(*columns, ",")
    return head.getvalue() + "\r\n".join(lines.to_pylist()) + "\r\n"


def _is_arrow_text(t) -> bool:
    import pyarrow as pa
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _pandas_column(col: pd.Series):
    """One column as quoted CSV fields (Arrow strings): text by Arrow, the rest by pandas."""
    import pyarrow as pa
    if not (col.dtype == object or pd.api.types.is_string_dtype(col)):
        return _generic(col)                      # numbers stay numbers: never neutralised
    if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
        return _arrow_strings(pa.array(col.array))
    if col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
        return _arrow_strings(pa.array(col.to_numpy(object), type=pa.large_string(), from_pandas=True))
    return _generic(_safe_column(col))            # mixed objects, categories: as safe_frame does


def _arrow_strings(values):
    """Text cells: missing as empty, formulas neutralised, quoted where the csv module would."""
    import pyarrow.compute as pc
    values = pc.fill_null(values, "")
    risky = pc.match_substring_regex(values, _FORMULA_RE)
    values = pc.if_else(risky, pc.binary_join_element_wise("'", values, ""), values)
    return _quoted(values)


def _generic(col: pd.Series):
    """A column as pandas' to_csv formats it (floats, integers with NA, dates, Decimal …);
    the cells then go to the csv module, which writes str() of each (repr() of a float)."""
    import pyarrow as pa
    cells = col.to_frame()._get_values_for_csv(float_format=None, date_format=None, decimal=".",
                                               na_rep="", quoting=None).iloc[:, 0].to_numpy(object)
    strings = [v if type(v) is str else "" if v is None else repr(v) if type(v) is float else str(v)
               for v in cells]
    return _quoted(pa.array(strings, type=pa.large_string()))


def _quoted(values):
    import pyarrow.compute as pc
    needs = pc.match_substring_regex(values, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return values
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, values)


def hide_paths(text: str) -> str:
    """The text with every server folder and absolute path (and URL) replaced by [路径]."""
    folders = {os.environ.get("ZCPH_DATA_DIR", ""), tempfile.gettempdir(), str(Path(__file__).resolve().parents[1]),
               sys.prefix, os.path.expanduser("~")}
    for folder in sorted((f for f in folders if len(f) > 1), key=len, reverse=True):
        text = text.replace(folder, HIDDEN_PATH)
    return _PATH.sub(HIDDEN_PATH, text)
