"""Column widths of a Word table: the widths that make the table shortest on paper.

Every cell is measured in characters (a Chinese character is one, a Latin letter or digit
about half).  Numbers and the asset ID never wrap.  The text columns start at the width
that puts each cell on one line and give up width a step at a time where it costs the
fewest printed lines: the longest names wrap first, no short text wraps onto more than
two lines, and the reasons column takes what the others do not need.  `least_width` says whether a table can fit at all (the
Word writer turns it or puts it in a landscape section when not).
"""
from __future__ import annotations

import math

import numpy as np

MARGIN_CM = 0.45          # the cell's left and right margins together
NUMBER_MAX_CM = 3.2       # a number column never takes more
NO_WRAP = {"资产编号"}     # never broken (an ID split over two lines is misread)
SHORT_WRAP = 7            # a text up to twice this long wraps onto two lines at most
READABLE = 12             # characters a line the longest text column needs to be read


def _em(size_pt: float) -> float:
    """A Chinese character's width at this type size, in cm."""
    return size_pt * 0.0353


def ems(text: str) -> float:
    """Width in Chinese characters: Latin letters and digits are about half."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


def _measure(headers: list[str], cells: list[list[str]], em: float):
    """Each cell's longest line in cm and its own line count; the header row first."""
    rows = [headers] + cells
    # in whole characters: what a line holds (see _lines)
    need = np.array([[em * math.ceil(max(ems(line) for line in (text or " ").split("\n")) - 1e-9) for text in row]
                     for row in rows])
    lines_in = np.array([[max(len((text or " ").split("\n")), 1) for text in row] for row in rows])
    return need, lines_in


def _natural(need: np.ndarray, em: float) -> tuple[np.ndarray, np.ndarray]:
    """(width on one line, narrowest width) per column.  A header may wrap onto three lines;
    a short text onto two, a longer one keeps SHORT_WRAP characters a line."""
    header = np.maximum(need[0] / 3, np.minimum(need[0], em * 2)) + MARGIN_CM
    longest = need[1:].max(axis=0) if len(need) > 1 else need[0]
    natural = np.maximum(longest + MARGIN_CM, header)
    half = np.ceil(longest / em) * em / 2            # two lines, rounded up to whole half-characters
    floor = np.maximum(header, np.minimum(half, em * SHORT_WRAP) + MARGIN_CM)
    return natural, np.minimum(np.maximum(floor, em * 2 + MARGIN_CM), natural)


def _start(headers, numeric, natural) -> tuple[np.ndarray, np.ndarray]:
    """Numbers and IDs at the width they never wrap in (numbers at most NUMBER_MAX_CM)."""
    fixed = np.array([n or h in NO_WRAP for n, h in zip(numeric, headers)])
    widths = np.where(fixed, np.where(np.array(numeric), np.minimum(natural, NUMBER_MAX_CM), natural), natural)
    return widths, fixed


def least_width(headers: list[str], numeric: list[bool], cells: list[list[str]], size_pt: float) -> float:
    """The narrowest the table reads well at: no number or ID wrapped, the text columns at
    their floor, and the longest text column (the reasons) at READABLE characters a line."""
    em = _em(size_pt)
    natural, floor = _natural(_measure(headers, cells, em)[0], em)
    widths, fixed = _start(headers, numeric, natural)
    least = np.where(fixed, widths, np.minimum(widths, floor))
    if (~fixed).any():
        k = int(np.argmax(np.where(fixed, -1, natural)))
        least[k] = max(least[k], min(natural[k], em * READABLE + MARGIN_CM))
    return float(least.sum())


def header_lines(headers: list[str], widths: list[float], size_pt: float) -> int:
    """How many lines the tallest header takes at these widths."""
    em = _em(size_pt)
    return int(_lines(np.array([em * ems(h) for h in headers]), widths, em).max(initial=1))


def fit(headers: list[str], numeric: list[bool], cells: list[list[str]], size_pt: float,
        text_width_cm: float) -> list[float]:
    """Widths in cm of columns with these headers and (already formatted) cells."""
    em = _em(size_pt)
    need, lines_in = _measure(headers, cells, em)
    natural, floor = _natural(need, em)
    if natural.sum() <= text_width_cm:           # everything fits on one line: spread out in proportion
        return list(natural * text_width_cm / natural.sum())
    widths, fixed = _start(headers, numeric, natural)
    least = np.where(fixed, widths, floor)
    widths = np.minimum(widths, np.maximum(text_width_cm - (least.sum() - least), least))   # no column wider than the page leaves it
    _shrink(widths, ~fixed, need, lines_in, widths.sum() - text_width_cm, floor, em)
    if widths.sum() > text_width_cm + 1e-6:       # still too wide: short texts wrap further
        _shrink(widths, ~fixed, need, lines_in, widths.sum() - text_width_cm,
                np.full_like(floor, em * 2 + MARGIN_CM), em)
    return list(widths)


def _lines(need: np.ndarray, widths, em: float) -> np.ndarray:
    """Lines a text of `need` cm takes in columns of `widths`: a line holds whole characters
    (a Chinese character cannot take half a place; Latin text, counted up, is never short)."""
    per_line = np.maximum(np.floor((np.asarray(widths) - MARGIN_CM) / em + 1e-6), 1) * em
    return np.maximum(np.ceil(need / per_line - 1e-9), 1)


def _printed_lines(widths: np.ndarray, need: np.ndarray, lines_in: np.ndarray, em: float) -> float:
    """What a layout costs: the table's height in lines (each row as tall as its tallest
    cell), plus a little for every line any cell wraps onto, so that a cell does not wrap
    just because its row is tall anyway (the floors keep short texts from towering)."""
    per_cell = _lines(need, widths, em) * lines_in
    return float(per_cell.max(axis=1).sum() + 0.1 * per_cell.sum())


STEP_CM = 0.1


def _shrink(widths: np.ndarray, open_cols: np.ndarray, need: np.ndarray, lines_in: np.ndarray,
            excess: float, floor: np.ndarray, em: float) -> None:
    """Take `excess` cm from the open columns, a step at a time from the one whose narrowing
    costs least (_printed_lines; the wider column on a tie): the longest names wrap first."""
    while excess > 1e-6:
        height = _printed_lines(widths, need, lines_in, em)
        best = None
        for k in np.flatnonzero(open_cols & (widths - STEP_CM >= floor)):
            widths[k] -= STEP_CM
            cost = _printed_lines(widths, need, lines_in, em) - height
            widths[k] += STEP_CM
            if best is None or (cost, -widths[k]) < best[:2]:
                best = (cost, -widths[k], k)
        if best is None:                          # every text column at its floor
            return
        step = min(STEP_CM, excess)
        widths[best[2]] -= step
        excess -= step
