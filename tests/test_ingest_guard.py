"""guard._cell_refs (numpy, fast) finds the same cells as a plain reading of the XML would:
every cell element counted, the references read as calamine reads them, self-closed cells
not valued — on regular sheets and on odd, hostile ones."""
import random
import re

import numpy as np
import pytest

from dashboard.ingest import guard


def plain(chunk: bytes, prefix: bytes):
    """The reference: one cell at a time, with re."""
    rows, cols, cells, with_ref = [], [], 0, 0
    last_gt = chunk.rfind(b">")
    for m in re.finditer(re.escape(b"<" + prefix + b"c") + rb"(?=[ >/])", chunk):
        cells += 1
        s = m.end()
        ref = re.match(rb' r="([A-Za-z]{1,7})(\d{1,10})"', chunk[s:s + 24])
        if not ref:
            continue
        with_ref += 1
        close = chunk.find(b">", s + 4)
        close = close if close >= 0 else (last_gt if last_gt >= 0 else s + 4)
        if chunk[close - 1:close] != b"/":
            rows.append(int(ref.group(2)))
            cols.append(guard._col_number(ref.group(1)))
    return rows, cols, cells, with_ref


def same(chunk: bytes, prefix: bytes = b""):
    rows, cols, cells, with_ref = guard._cell_refs(chunk, prefix)
    want = plain(chunk, prefix)
    assert (list(rows), list(cols), cells, with_ref) == want, chunk[:300]


def random_sheet(rng: random.Random, prefix: str) -> bytes:
    parts = []
    for _ in range(rng.randint(1, 80)):
        letters = "".join(rng.choice("ABCXYZabz") for _ in range(rng.choice([1, 1, 2, 3, 7, 8, 0])))
        digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([1, 2, 5, 7, 10, 11, 0])))
        ref = letters + digits
        attrs = rng.choice(["", ' s="1"', ' t="inlineStr"', ' s="12" t="s" ' + "x" * rng.choice([0, 60]) + '="1"'])
        p = prefix if rng.random() < 0.9 else rng.choice(["", "y:"])
        kind = rng.random()
        if kind < 0.5:
            parts.append(f'<{p}c r="{ref}"{attrs}><v>1</v></{p}c>')
        elif kind < 0.65:
            parts.append(f'<{p}c r="{ref}"{attrs}/>')
        elif kind < 0.75:
            parts.append(f'<{p}c{attrs} r="{ref}"><is><t>a&gt;b</t></is></{p}c>')
        elif kind < 0.8:
            parts.append(f'<{p}c>x</{p}c>')
        elif kind < 0.85:
            parts.append(f'<{p}col r="{ref}"/><{p}cx r="{ref}">')
        elif kind < 0.9:
            parts.append(f'<row r="{digits or 1}">')
        else:
            parts.append(f'<{p}c r="{ref}')           # cut short, as the end of a damaged part
    return "".join(parts).encode()


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_cell_references_are_read_as_a_plain_reading_does(prefix):
    rng = random.Random(20261130)
    for _ in range(1500):
        same(random_sheet(rng, prefix), prefix.encode())


def test_a_regular_sheet_and_its_far_corners():
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>城川镇</t></is></c><c r="AO{r}" s="2">'
                   f'<v>1.5</v></c><c r="B{r}" s="3"/></row>' for r in range(1, 3000))
    same(rows.encode())
    same(b'<c r="XFD1048576"><v>1</v></c><c r="A9999999999"><v>1</v></c><c r="ABCDEFG1"><v>1</v></c>')
    r, c, cells, with_ref = guard._cell_refs(b'<c r="XFD100000"><v>1</v></c>', b"")
    assert (r.tolist(), c.tolist(), cells, with_ref) == ([100000], [16384], 1, 1)
    assert np.array_equal(guard._cell_refs(b'<c r="C3" ' + b"a" * 200 + b'="1"/>', b"")[0], [])
