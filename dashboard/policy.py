"""Policy as data: named parameters, the rule catalog and the negative list.

The files live in data/policy/ so an office can read and change them without
touching code.  The UI shows every parameter and every report prints them.
"""
from __future__ import annotations

import csv
import io
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dashboard import settings

POLICY_DIR = Path(__file__).resolve().parent.parent / "data" / "policy"
PARAMETERS_FILE = POLICY_DIR / "parameters.toml"
RULES_FILE = POLICY_DIR / "rules.csv"
NEGATIVE_LIST_FILE = POLICY_DIR / "editions" / "negative_list.csv"   # the seed edition's (editions.py)


class PolicyError(ValueError):
    """A parameter or policy file a user supplied is wrong (message in Chinese)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    default: float | int
    unit: str
    rules: str


@dataclass(frozen=True)
class Rule:
    rule_id: str
    level: str        # red / yellow / flag / distribution / disposal
    name: str
    seed: str         # the work plan's own wording
    needs: tuple[str, ...]  # "sheet" or "sheet.column" that must have been uploaded
    explain: str      # Chinese sentence template filled from the rule's facts


@lru_cache(maxsize=1)
def parameters() -> dict[str, Parameter]:
    data = tomllib.loads(PARAMETERS_FILE.read_text(encoding="utf-8"))
    return {name: Parameter(name, v["label"], v["default"], v["unit"], v["rules"])
            for name, v in data.items()}


def default_params() -> dict[str, float | int]:
    return {name: p.default for name, p in parameters().items()}


def resolve_params(overrides: dict[str, object] | None = None,
                   defaults: dict[str, float | int] | None = None) -> dict[str, float | int]:
    """Defaults (the catalog's, or an edition's: editions.py) with the user's overrides applied,
    each checked and typed like its default."""
    params = {**default_params(), **(defaults or {})}
    for name, raw in (overrides or {}).items():
        if name not in params:
            known = "、".join(params)
            raise PolicyError(f"未知参数“{name}”。可用参数：{known}")
        params[name] = _typed(name, raw, params[name])
    for low, high in (("income_rate_too_low", "income_rate_reasonable"),
                      ("contract_red_months", "contract_yellow_months")):
        if params[low] > params[high]:
            specs = parameters()
            raise PolicyError(f"参数错误：“{specs[low].label}”不能大于“{specs[high].label}”（{low} ≤ {high}）")
    return params


def _typed(name: str, raw: object, default: float | int) -> float | int:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise PolicyError(f"参数“{name}”的值“{raw}”不是数字") from None
    if value < 0:
        raise PolicyError(f"参数“{name}”不能为负数：{raw}")
    if isinstance(default, int):
        if value != int(value):
            raise PolicyError(f"参数“{name}”须为整数：{raw}")
        return int(value)
    return value


def parse_param_args(items: list[str]) -> dict[str, str]:
    """--param NAME=VALUE pairs from the command line."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise PolicyError(f"参数格式应为 名称=值：{item}")
        out[name.strip()] = value.strip()
    return out


@lru_cache(maxsize=1)
def rules() -> dict[str, Rule]:
    with RULES_FILE.open(encoding="utf-8") as f:
        return {r["rule_id"]: Rule(r["rule_id"], r["level"], r["name"], r["seed"],
                                   tuple(r["needs"].split()), r["explain"])
                for r in csv.DictReader(f)}


def warning_rule_ids() -> list[str]:
    return [r.rule_id for r in rules().values() if r.level in ("red", "yellow")]


# --- negative list (负面清单) -------------------------------------------------

def user_negative_list_file() -> Path:
    """The list as edited in the app: in the app's data folder ($ZCPH_DATA_DIR, default var/,
    where the snapshots are), so the shipped default in data/policy/ is never overwritten."""
    return settings.data_dir() / "negative_list.csv"


def negative_list_file() -> Path:
    """The list in force: the user's edited copy when there is one, else the shipped default."""
    user = user_negative_list_file()
    return user if user.exists() else NEGATIVE_LIST_FILE


def read_negative_list(path: Path | None = None) -> list[tuple[str, list[str]]]:
    """Items with their keywords; keywords are separated by ；or ; or 、 in the file."""
    text = (path or negative_list_file()).read_text(encoding="utf-8-sig")
    return parse_negative_list(text)


def save_negative_list(items: list[tuple[str, list[str]]], path: Path | None = None) -> Path:
    """Write the user's list (checked first: an empty list is refused); a half-written file never replaces it."""
    text = format_negative_list(items)
    parse_negative_list(text)
    path = path or user_negative_list_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def reset_negative_list() -> None:
    """Back to the shipped default."""
    user_negative_list_file().unlink(missing_ok=True)


def parse_negative_list(text: str) -> list[tuple[str, list[str]]]:
    items = []
    for row in csv.DictReader(io.StringIO(text)):
        item = (row.get("item") or "").strip()
        words = (row.get("keywords") or "").replace(";", "；").split("；")
        words = [w.strip() for w in words if w.strip()]
        if item:
            items.append((item, words or [item]))
    if not items:
        raise PolicyError("负面清单为空或格式不正确：需要 item,keywords 两列")
    return items


def format_negative_list(items: list[tuple[str, list[str]]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["item", "keywords"])
    for item, words in items:
        w.writerow([item, "；".join(words)])
    return buf.getvalue()
