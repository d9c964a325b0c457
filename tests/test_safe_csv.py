"""safe.csv_bytes (the exports' CSV writer, made in Arrow for speed) writes the very bytes
pandas' writer wrote: UTF-8 with BOM, CRLF, minimal quoting, formula-safe text cells."""
import datetime as dt
import decimal
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from dashboard import safe


def pandas_bytes(frame: pd.DataFrame) -> bytes:
    """What csv_bytes wrote before it was made in Arrow."""
    return safe.safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


TRICKY = ["", " ", "a", "城川镇", "=1+1", "+86", "-5", "@x", "\tx", "\rx", "a,b", 'say "hi"', "line\nbreak",
          "cr\rmid", "crlf\r\nend", "'quoted", "==", "a=b", " =lead space", "—", "null", "NaN", "1e5", "Ｋ３０"]


def frames():
    rng = random.Random(9)
    n = 300
    text = [rng.choice(TRICKY + [None]) for _ in range(n)]
    yield pd.DataFrame({"s": pd.array(text, dtype="str"), "o": pd.Series(text, dtype=object),
                        "p": pd.array(text, dtype="string[python]"), "n": pd.array(text, dtype="string")})
    yield pd.DataFrame({
        "float": [rng.choice([0.1, 1e20, -3.5, 100.0, 1 / 3, np.nan, 12345678.9, -0.0]) for _ in range(n)],
        "int": np.arange(n, dtype=np.int32) - 150,
        "Int64": pd.array([rng.choice([1, -2, None, 2024]) for _ in range(n)], dtype="Int64"),
        "bool": [rng.random() < 0.5 for _ in range(n)],
        "dec": [rng.choice([decimal.Decimal("100.00"), decimal.Decimal("-5.25"), decimal.Decimal("0.00"), None])
                for _ in range(n)],
        "date": [rng.choice([dt.date(2024, 3, 1), None]) for _ in range(n)],
        "ts": pd.to_datetime([rng.choice(["2024-03-01", "2024-03-01 12:30", None]) for _ in range(n)], format="mixed"),
        "day": pd.to_datetime([rng.choice(["2024-03-01", None]) for _ in range(n)]),
        "mixed": [rng.choice(["=x", -7, 2.5, None, "a,b", dt.date(2024, 1, 2)]) for _ in range(n)],
        "cat": pd.Categorical([rng.choice(["=a", "b", None]) for _ in range(n)]),
    })
    yield pd.DataFrame({"=head": ["x"], "-neg": [1], "a,b": ["y"], "中文": ["z"]})
    yield pd.DataFrame({"one": ["", "a", None, "=b"]})                  # one column: an empty record is ""
    yield pd.DataFrame({"one": pd.array(["", "a", None], dtype="str")})
    yield pd.DataFrame({"a": pd.array([], dtype="str"), "b": pd.Series([], dtype=float)})
    yield pd.DataFrame({"a": [None, None], "b": [np.nan, np.nan]})


@pytest.mark.parametrize("frame", list(frames()))
def test_arrow_writer_writes_pandas_bytes(frame):
    assert safe.csv_bytes(frame) == pandas_bytes(frame)


def test_an_arrow_table_is_written_as_its_pandas_frame():
    table = pa.table({"id": ["K1", None, "=cmd|' /C calc'!A0"], "v": pa.array([decimal.Decimal("1.50"), None,
                                                                              decimal.Decimal("-2.00")],
                                                                             pa.decimal128(18, 2)),
                      "year": pa.array([2024, None, 2023], pa.int32()), "note": ["a\r\nb", "", '"q"']})
    assert safe.csv_bytes(table) == pandas_bytes(table.to_pandas())
    tiny = pa.table({"d": pa.array([decimal.Decimal(x) for x in ("0.0000001", "1E-6", "123456789.5", "-0.0000000001",
                                                                  "0")], pa.decimal128(38, 10)),
                     "i": pa.array([1, -2, 3, 0, 2 ** 40], pa.int64())})
    assert safe.csv_bytes(tiny) == pandas_bytes(tiny.to_pandas())
    text_only = table.select(["id", "note"])
    assert safe.csv_bytes(text_only) == pandas_bytes(text_only.to_pandas())


def test_a_formula_cannot_start_a_cell_or_a_row():
    raw = safe.csv_bytes(pd.DataFrame({"a": ["=SUM(A1)", "x\r=1+1"], "b": ["-1", "@y"]}))
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n")
    assert raw.decode("utf-8-sig") == "a,b\r\n'=SUM(A1),'-1\r\n\"x\r=1+1\",'@y\r\n"
