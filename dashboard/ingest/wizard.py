"""The mapping step of 数据上传, without Streamlit: what a sheet's headers could mean, ranked;
the distinct values of a column; a profile written as TOML; saved profiles listed, renamed
and deleted.  The page (pages/upload.py, dashboard/ui/mapping.py) only draws these."""
from __future__ import annotations

import difflib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dashboard import template as T

from . import clean as C
from .header import norm, split_unit, top_texts
from .profiles import PLACE_PAIR, ProfileError, parse, read_profile, saved_dir

SAMPLE_ROWS = 50


@dataclass
class SheetView:
    """A sheet as the wizard shows it: its header row (0-based), headers and some values."""
    header_row: int
    headers: list[str]
    samples: dict[str, list] = field(default_factory=dict)   # header → values below it


def view(grid: list[list], header_row: int | None = None) -> SheetView:
    """The header row is the one given, else the first row with the most texts among the top."""
    top = top_texts(grid)
    if header_row is None:
        counts = [sum(1 for c in row if c and not _numeric(c)) for row in top]
        header_row = counts.index(max(counts)) if counts else 0
    names = top[header_row] if header_row < len(top) else []
    headers, samples = [], {}
    for j, h in enumerate(names):
        if not h or h in samples:
            continue
        headers.append(h)
        samples[h] = [r[j] for r in grid[header_row + 1:header_row + 1 + SAMPLE_ROWS]
                      if j < len(r) and r[j] not in (None, "")]
    return SheetView(header_row, headers, samples)


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d,.]+", text))


def rank(column: T.Column, sheet: SheetView) -> list[tuple[str, float]]:
    """The sheet's headers ranked for one canonical column: by name (the column's Chinese
    header and its variants) and by whether the values look like it (dates, money, years,
    the enumeration's words).  Best first; a score of 0 is no guess at all."""
    names = [norm(column.zh)] + [norm(v) for v in column.variants]
    out = []
    for h in sheet.headers:
        base = split_unit(h)[0]
        by_name = max(difflib.SequenceMatcher(None, base, n).ratio() for n in names)
        if base in names:
            by_name = 1.0
        out.append((h, round(0.7 * by_name + 0.3 * _fits(column, sheet.samples.get(h, [])), 3)))
    return sorted(out, key=lambda x: -x[1])


def _fits(column: T.Column, values: list) -> float:
    """Share of sample values that the column's cleaner reads without complaint."""
    if not values:
        return 0.0
    if column.kind == T.TEXT:
        return 0.5
    got = C.clean(np.array(values, dtype=object), column)
    status = got.status if got.status is not None else np.zeros(len(values), np.int8)
    return float(np.mean((status == C.OK) & ~got.empty))


def best_guess(column: T.Column, sheet: SheetView, threshold: float = 0.55,
               exclude: set[str] = frozenset()) -> str | None:
    """The best-ranked header not already taken, if it scores at least `threshold`."""
    ranked = [(h, score) for h, score in rank(column, sheet) if h not in exclude]
    return ranked[0][0] if ranked and ranked[0][1] >= threshold else None


def distinct(sheet: SheetView, header: str, limit: int = 30) -> list[str]:
    """The distinct values found under a header (for a value map), most frequent first."""
    seen: dict[str, int] = {}
    for v in sheet.samples.get(header, []):
        s = str(v).strip()
        if s:
            seen[s] = seen.get(s, 0) + 1
    return [v for v, _ in sorted(seen.items(), key=lambda kv: -kv[1])][:limit]


def unknown_values(column: T.Column, values: list[str]) -> list[str]:
    """The values an enumeration does not read by itself (they need a value map)."""
    if not values:
        return []
    got = C.clean(np.array(values, dtype=object), column)
    if got.status is None:
        return []
    return [v for v, st in zip(values, got.status) if st != C.OK]


def toml_text(name: str, entries: list[dict], note: str = "") -> str:
    """A profile as mapping-profiles.md writes it (strings quoted as TOML basic strings)."""
    q = lambda s: json.dumps(str(s), ensure_ascii=False)   # noqa: E731 — JSON strings are TOML strings
    lines = [f"name = {q(name)}"] + ([f"note = {q(note)}"] if note else [])
    for e in entries:
        lines += ["", "[[sheets]]", f"match = {q(e['match'])}", f"kind = {q(e['kind'])}"]
        if e.get("header_row"):
            lines.append(f"header_row = {int(e['header_row'])}")
        if e.get("unit"):
            lines.append(f"unit = {q(e['unit'])}")
        if e.get("columns"):
            lines += ["", "[sheets.columns]"]
            for src, dst in e["columns"].items():
                value = "[" + ", ".join(q(x) for x in PLACE_PAIR) + "]" if dst == list(PLACE_PAIR) else q(dst)
                lines.append(f"{q(src)} = {value}")
        if e.get("values"):
            lines += ["", "[sheets.values]"]
            for col, m in e["values"].items():
                lines.append(f"{q(col)} = {{ " + ", ".join(f"{q(a)} = {q(b)}" for a, b in m.items()) + " }")
        if e.get("constants"):
            lines += ["", "[sheets.constants]"]
            lines += [f"{q(col)} = {q(v)}" for col, v in e["constants"].items()]
    return "\n".join(lines) + "\n"


def _file_for(name: str) -> Path:
    safe = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", name).strip("_") or "方案"
    return saved_dir() / f"{safe}.toml"


def save(name: str, text: str) -> Path:
    """Check the profile (ProfileError if wrong) and save it in the data folder."""
    parse(tomllib.loads(text), name)
    path = _file_for(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def listing() -> list[tuple[str, Path]]:
    folder = saved_dir()
    out = []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            out.append((read_profile(path).name, path))
        except ProfileError:
            out.append((f"（无法读取）{path.stem}", path))
    return out


def rename(path: Path, new_name: str) -> Path:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^name\s*=.*$', f"name = {json.dumps(new_name, ensure_ascii=False)}", text, count=1)
    new = save(new_name, text)
    if new != path:
        path.unlink(missing_ok=True)
    return new


def delete(path: Path) -> None:
    path.unlink(missing_ok=True)
