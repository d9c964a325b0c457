"""Safe to hand out: exports that open in Excel without running a formula (cells and
column headers alike), error texts that name no folder of the server, and text from a
ledger or a user shown as text (`md` for anything Streamlit renders as Markdown, `chart_text`
for plotly's labels and hover)."""
from __future__ import annotations

import csv
import html
import io
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import settings

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_START = _FORMULA_START       # what a cell text may not start with unquoted (str.startswith)
HIDDEN_PATH = "[路径]"
# An absolute path (a quote may open it; a word, ')' or ']' before '/' is a division) or a URL.
_PATH = re.compile(r"[A-Za-z][\w+.-]*://[^\s'\"]+|\[路径\](?:/[^\s/'\"`),;:]+)*/?|~?(?<![\w)\]])(?:/[^\s/'\"`),;:]+)+/?")


# Every character Markdown, Streamlit's directives (:red[…], $…$) or HTML give a meaning to;
# a backslash before ASCII punctuation makes it plain (CommonMark).  A line break would start
# a new block (a list, a heading, a code block): it becomes a space.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:=\"'^])")
_LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
# Streamlit's Markdown makes a link of any http://…, www.… or name@host in the text it has
# already unescaped; an invisible word joiner (U+2060) inside the marker leaves it text.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def md(value: object) -> str:
    """A value from a workbook, a submission, a profile, an account or an answer, ready to go
    into anything Streamlit renders as Markdown — st.markdown, st.caption, st.info/warning/
    error/success, widget labels and help, expander and tab titles, metric labels.  Read
    literally: `![b](http://host/x)` shows as written and fetches nothing, `[l](javascript:…)`
    is no link, `<img …>` no tag, `**x**` no bold, and an address written out is no link
    either (an invisible word joiner, U+2060, inside its '://', 'www.' or '@').  None is ""."""
    if value is None:
        return ""
    text = _AUTOLINK.sub(WORD_JOINER, _LINE_BREAK.sub(" ", str(value)))
    return _MARKDOWN.sub(r"\\\1", text)


def chart_text(value: object) -> object:
    """A value for plotly's text, names, axis labels and hover: plotly reads <b>, <br>, <a href>,
    <span style> and entities in them, so < > & are written as entities (shown as themselves).
    Anything not a string is left as it is (numbers, dates)."""
    return html.escape(value, quote=False) if isinstance(value, str) else value


def chart_value(text: object) -> object:
    """The value behind a chart label (`chart_text` undone), e.g. the town of a clicked bar."""
    return html.unescape(text) if isinstance(text, str) else text


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
    (tests/test_safe_csv.py holds the two together) — an Arrow table's as its to_pandas()
    frame's — but made column by column in Arrow: pandas' writer took 0.8 s for the 100,000
    assets of the CLI's exports, this about 0.1 s."""
    import pyarrow as pa
    if isinstance(frame, pa.Table) and frame.num_columns == 0:
        return _pandas_bytes(frame.to_pandas())
    if isinstance(frame, pa.Table):
        names = frame.column_names
        columns = [_arrow_column(c) for c in frame.columns]
    elif isinstance(frame.columns, pd.MultiIndex) or frame.shape[1] == 0:
        return _pandas_bytes(frame)
    else:
        names = list(frame.columns)
        try:
            columns = [_pandas_column(frame.iloc[:, j]) for j in range(frame.shape[1])]
        except AttributeError:            # a pandas without its csv helper: its own writer
            return _pandas_bytes(frame)
    head = io.StringIO()
    csv.writer(head, lineterminator="\r\n").writerow([safe_text(c) for c in names])
    return _BOM + head.getvalue().encode("utf-8") + _body(columns)


def write_csv(frame, path: Path) -> None:
    """csv_bytes written to a file (the CLI's exports)."""
    Path(path).write_bytes(csv_bytes(frame))


def _pandas_bytes(frame: pd.DataFrame) -> bytes:
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


_BOM = b"\xef\xbb\xbf"
# object columns in which infer_dtype finds these kinds hold no text: nothing to neutralise
_NO_TEXT = {"integer", "floating", "mixed-integer-float", "decimal", "boolean", "date", "datetime",
            "datetime64", "time", "timedelta", "timedelta64", "bytes"}


def _body(columns: list) -> bytes:
    """The rows: fields joined by commas, each line ended by CRLF, as the bytes of one Arrow
    string array (no Python string per row)."""
    import pyarrow.compute as pc
    if not columns or not len(columns[0]):
        return b""
    if len(columns) == 1:      # the csv module quotes a record that is one empty field
        columns = [pc.if_else(pc.equal(columns[0], ""), _large('""'), columns[0])]
    last = pc.binary_join_element_wise(columns[-1], _large(""), _large("\r\n"))
    lines = pc.binary_join_element_wise(*columns[:-1], last, _large(",")) if len(columns) > 1 else last
    bounds = np.frombuffer(lines.buffers()[1], np.int64)[lines.offset:lines.offset + len(lines) + 1]
    return lines.buffers()[2][int(bounds[0]):int(bounds[-1])].to_pybytes()


def _large(text: str):
    import pyarrow as pa
    return pa.scalar(text, pa.large_string())


def _arrow_column(values):
    """One column of an Arrow table as quoted fields: text, decimals and whole numbers by
    Arrow (written as pandas writes them), anything else through its pandas column."""
    import pyarrow as pa
    import pyarrow.compute as pc
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    t = values.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return _arrow_strings(values)
    if pa.types.is_decimal(t) or (pa.types.is_integer(t) and values.null_count == 0):
        # str(Decimal) and Arrow agree (both print the plain form down to 1E-6); pandas turns
        # whole numbers with a null into floats (2024.0), so those go the pandas way
        return _quoted(pc.fill_null(values.cast(pa.large_string()), ""))
    return _pandas_column(values.to_pandas())


def _pandas_column(col: pd.Series):
    """One column as quoted CSV fields (Arrow strings): text by Arrow, the rest by pandas."""
    import pyarrow as pa
    if not (col.dtype == object or pd.api.types.is_string_dtype(col)):
        return _generic(col)                      # numbers stay numbers: never neutralised
    if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
        return _arrow_strings(pa.array(col.array))
    kind = pd.api.types.infer_dtype(col, skipna=True) if col.dtype == object else ""
    if kind in ("string", "empty"):
        return _arrow_strings(pa.array(col.to_numpy(object), type=pa.large_string(), from_pandas=True))
    return _generic(col if kind in _NO_TEXT else _safe_column(col))    # mixed objects, categories


def _arrow_strings(values):
    """Text cells: missing as empty, formulas neutralised, quoted where the csv module would."""
    import pyarrow as pa
    import pyarrow.compute as pc
    values = pc.fill_null(values.cast(pa.large_string()), "")
    risky = _first_byte_in(values, _FORMULA_BYTES)
    if risky.any():
        values = pc.if_else(risky, pc.binary_join_element_wise(_large("'"), values, _large("")), values)
    return _quoted(values)


def _bytes_of(values) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, UTF-8 bytes) of a large_string array without nulls."""
    offsets = np.frombuffer(values.buffers()[1], np.int64)[values.offset:values.offset + len(values) + 1]
    data = values.buffers()[2]
    return offsets, (np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8))


def _table(chars) -> np.ndarray:
    table = np.zeros(256, bool)
    table[[ord(c) for c in chars]] = True
    return table


# All ASCII: in UTF-8 such a byte is always that character, never part of another one.
_FORMULA_BYTES = _table(_FORMULA_START)
_QUOTE_BYTES = _table(',"\r\n')               # what the csv module quotes (QUOTE_MINIMAL, CRLF lines)


def _first_byte_in(values, table: np.ndarray) -> np.ndarray:
    offsets, data = _bytes_of(values)
    starts = offsets[:-1]
    filled = offsets[1:] > starts
    if not filled.any():
        return filled
    return filled & table[data[np.minimum(starts, len(data) - 1)]]


def _any_byte_in(values, table: np.ndarray) -> np.ndarray:
    offsets, data = _bytes_of(values)
    marks = table[data[offsets[0]:offsets[-1]]]
    before = np.concatenate(([0], np.cumsum(marks)))          # marked bytes before each byte
    rel = offsets - offsets[0]
    return before[rel[1:]] > before[rel[:-1]]


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
    offsets, data = _bytes_of(values)
    raw = data[offsets[0]:offsets[-1]].tobytes()
    if not any(c in raw for c in (b",", b'"', b"\r", b"\n")):       # mostly: one fast search each
        return values
    needs = _any_byte_in(values, _QUOTE_BYTES)
    quoted = pc.binary_join_element_wise(_large('"'), pc.replace_substring(values, '"', '""'), _large('"'),
                                         _large(""))
    return pc.if_else(needs, quoted, values)


def hide_paths(text: str) -> str:
    """The text with every server folder and absolute path (and URL) replaced by [路径]."""
    folders = {str(settings.data_dir()), tempfile.gettempdir(), str(Path(__file__).resolve().parents[1]),
               sys.prefix, os.path.expanduser("~")}
    for folder in sorted((f for f in folders if len(f) > 1), key=len, reverse=True):
        text = text.replace(folder, HIDDEN_PATH)
    return _PATH.sub(HIDDEN_PATH, text)
