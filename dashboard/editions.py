"""Policy editions (verification.md §4): the plan's words, dates and defaults as data.

An edition is a TOML file: its document (文号), title and the date it takes effect; the scope
(start year, funds in scope), D5's beneficiary categories with their aliases, the 四个一批
labels with their national names, the negative list, the parameter defaults and the
milestones.  The bundled ones live in data/policy/editions/ (the seed's, 鄂前政办发〔2024〕13号),
the administrator's in $ZCPH_DATA_DIR/editions/.  A key left out is inherited from the seed's
edition.  `as_of` is judged by the edition in force then: the latest whose effective date is
on or before it (before the first edition, the first).

    load_all()            every edition that passes its checks, oldest first
    scan()                (editions, refused): refused = [(path, Chinese message)]
    in_force(as_of)       the edition judging as_of
    seed()                the bundled seed edition
    parse(text_or_path)   one edition, checked (PolicyError with a Chinese message naming file and key)
    to_toml(edition)      the file's text; parse(to_toml(e)) == e
    save(edition)         write it into $ZCPH_DATA_DIR/editions/ (never over an existing file)

Files are re-read when the folder's listing (names, sizes, modification times) changes, so a
file saved by one app process is seen by every other on its next page run.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import threading
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from dashboard import policy, settings
from dashboard.policy import PolicyError

BUNDLED_DIR = policy.POLICY_DIR / "editions"
SEED_FILE = BUNDLED_DIR / "seed.toml"
BUNDLED = "内置"

# The measures of policy-rules §8 and verification.md §4, with what each counts (Chinese).
MEASURES = {
    "issued": "方案印发（以版本施行日期为完成日期）",
    "verified": "已核实资产 ÷ 范围内资产（核实日期）",
    "one_case_one_plan": "已制定一案一策的问题 ÷ 未能立即整改的问题",
    "confirmed": "已确权移交资产 ÷ 范围内资产（确权日期，MG1）",
    "revitalised": "盘活率：施行日闲置或低效的经营性资产中已盘活的（金额、数量各半）",
    "signed_off": "已销号问题 ÷ 发现的问题（销号日期）",
    "on_platform": "纳入对应管理平台的资产 ÷ 范围内资产（MG3）",
}

KEYS = {
    "": {"edition", "scope", "beneficiaries", "batches", "negative_list", "parameters", "milestones", "reporting"},
    "reporting": {"monthly_due_day"},
    "edition": {"document", "title", "effective_from", "counts_from"},
    "scope": {"start_year", "funds", "fund_aliases"},
    "milestones": {"id", "name", "due", "measure"},
    "negative_list": {"item", "keywords"},
}


@dataclass(frozen=True)
class Milestone:
    id: str
    name: str
    due: dt.date
    measure: str


@dataclass(frozen=True)
class Edition:
    document: str
    title: str
    effective_from: dt.date
    counts_from: dt.date                              # milestones count events from this date
    start_year: int
    funds: tuple[str, ...]
    fund_aliases: dict[str, tuple[str, ...]]          # fund -> short forms (matched as part of 资金来源)
    beneficiaries: dict[str, tuple[str, ...]]         # category -> aliases (D5)
    batches: dict[str, str]                           # seed label -> national label
    negative_list: tuple[tuple[str, tuple[str, ...]], ...]
    parameters: dict[str, float | int]                # every parameter of parameters.toml
    milestones: tuple[Milestone, ...]
    monthly_due_day: int = 0                          # 月调度: each authority reports by this day (八(二))
    source: str = field(default=BUNDLED, compare=False)   # 内置, or the file's path

    # --- what the queries bind -------------------------------------------------------
    def fund_patterns(self) -> list[str]:
        """Texts any one of which, found in 资金来源, puts the asset in scope."""
        out = []
        for fund in self.funds:
            for word in (fund, *self.fund_aliases.get(fund, ())):
                if word not in out:
                    out.append(word)
        return out

    def beneficiary_words(self) -> list[str]:
        """Every category and alias D5 allows."""
        out = []
        for cat, aliases in self.beneficiaries.items():
            for word in (cat, *aliases):
                if word not in out:
                    out.append(word)
        return out

    def batch_label(self, label: str) -> str:
        """'提升（升级）': the seed's label with the national one beside it when they differ."""
        national = self.batches.get(label)
        return label if not national or national == label else f"{label}（{national}）"

    def meta(self) -> dict[str, str]:
        """summary.json's `edition`."""
        return {"document": self.document, "title": self.title,
                "effective_from": self.effective_from.isoformat()}

    def label(self) -> str:
        """鄂前政办发〔2024〕13号（2024-02-29起施行）"""
        return f"{self.document}（{self.effective_from.isoformat()}起施行）"

    def milestone(self, milestone_id: str) -> Milestone | None:
        return next((m for m in self.milestones if m.id == milestone_id), None)

    def milestones_table(self) -> list[tuple[str, str, dt.date, str]]:
        """(id, name, due, measure) rows, for a query's milestone table."""
        return [(m.id, m.name, m.due, m.measure) for m in self.milestones]


# --- parsing ----------------------------------------------------------------------------

def _err(where: str, key: str, what: str) -> PolicyError:
    return PolicyError(f"政策版本文件“{where}”：{key}{what}")


def _date(where: str, key: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _err(where, f"“{key}”", f"的值“{value}”不是日期（应写作 年-月-日，如 2026-01-01）")


def _text(where: str, key: str, value: object, empty_ok: bool = False) -> str:
    if not isinstance(value, str) or (not value.strip() and not empty_ok):
        raise _err(where, f"“{key}”", f"应为非空文字，现为“{value}”")
    return value.strip()


def _texts(where: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _err(where, f"“{key}”", "应为文字列表，如 [\"甲\", \"乙\"]")
    return tuple(v.strip() for v in value)


def _unknown(where: str, section: str, data: dict) -> None:
    known = KEYS[section]
    for key in data:
        if key not in known:
            path = f"{section}.{key}" if section else key
            raise _err(where, f"未知的键“{path}”", f"（可用：{'、'.join(sorted(known))}）")


def _toml(text: str, where: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        key = ""
        if line:
            n = int(line.group(1))
            lines = text.splitlines()
            row = lines[n - 1] if 0 < n <= len(lines) else ""
            name = row.partition("=")[0].strip().strip('"') if "=" in row else row.strip()
            key = f"第{n}行“{name}”" if name else f"第{n}行"
        what = "：不是日期（应写作 年-月-日，如 2026-01-01）" if "date" in str(exc).lower() else "：格式不正确（TOML）"
        raise _err(where, key or "文件", f"{what}（{exc}）") from None


def parse(source: str | Path, where: str | None = None, *, base: Edition | None = None) -> Edition:
    """One edition from its TOML text or file, checked; keys left out come from `base`
    (default: the seed's edition).  A wrong file raises PolicyError naming the file and key."""
    folder = None
    if isinstance(source, Path):
        where = where or source.name
        folder = source.parent
        try:
            text = source.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise _err(where, "文件", f"无法读取（{exc}）") from None
        src = str(source)
    else:
        text, where, src = source, where or "（文本）", where or "（文本）"
    data = _toml(text, where)
    return _from_data(data, where, folder, base if base is not None else seed(), src)


def _from_data(data: dict, where: str, folder: Path | None, base: Edition | None, src: str) -> Edition:
    # the spec's example puts negative_list after [batches], where TOML makes it batches.negative_list
    batches_raw = data.get("batches")
    if isinstance(batches_raw, dict) and isinstance(batches_raw.get("negative_list"), str) \
            and batches_raw["negative_list"].lower().endswith(".csv") and "negative_list" not in data:
        data = dict(data, batches={k: v for k, v in batches_raw.items() if k != "negative_list"},
                    negative_list=batches_raw["negative_list"])
    _unknown(where, "", data)
    for section in ("edition", "scope", "beneficiaries", "batches", "parameters"):
        if section in data and not isinstance(data[section], dict):
            raise _err(where, f"“{section}”", "应为一节（[" + section + "]）")

    ed = data.get("edition")
    if not isinstance(ed, dict):
        raise _err(where, "缺少“[edition]”一节", "（document、title、effective_from）")
    _unknown(where, "edition", ed)
    for key in ("document", "effective_from"):
        if key not in ed:
            raise _err(where, f"缺少“edition.{key}”", "")
    document = _text(where, "edition.document", ed["document"])
    title = _text(where, "edition.title", ed.get("title", base.title if base else ""), empty_ok=True)
    effective = _date(where, "edition.effective_from", ed["effective_from"])
    counts_from = _date(where, "edition.counts_from", ed["counts_from"]) if "counts_from" in ed else effective

    scope = data.get("scope", {})
    _unknown(where, "scope", scope)
    if "start_year" in scope:
        start_year = scope["start_year"]
        if isinstance(start_year, bool) or not isinstance(start_year, int) or not 1949 < start_year < 2200:
            raise _err(where, "“scope.start_year”", f"应为年份（如 2012），现为“{start_year}”")
    else:
        start_year = base.start_year if base else None
    funds = _texts(where, "scope.funds", scope["funds"]) if "funds" in scope else (base.funds if base else ())
    aliases_raw = scope.get("fund_aliases")
    if aliases_raw is None:
        fund_aliases = {f: a for f, a in (base.fund_aliases.items() if base else ()) if f in funds}
    else:
        if not isinstance(aliases_raw, dict):
            raise _err(where, "“scope.fund_aliases”", "应为一节（资金名称 = [简称, …]）")
        fund_aliases = {}
        for fund, words in aliases_raw.items():
            if fund not in funds:
                raise _err(where, f"“scope.fund_aliases.{fund}”", "不是 scope.funds 中的资金")
            fund_aliases[fund] = _texts(where, f"scope.fund_aliases.{fund}", words)
    if start_year is None or not funds:
        raise _err(where, "缺少“scope.start_year”或“scope.funds”", "")

    if "beneficiaries" in data:
        beneficiaries = {}
        for cat, words in data["beneficiaries"].items():
            beneficiaries[_text(where, "beneficiaries", cat)] = _texts(where, f"beneficiaries.{cat}", words)
        if not beneficiaries:
            raise _err(where, "“beneficiaries”", "至少应有一个受益对象类别")
    else:
        beneficiaries = dict(base.beneficiaries) if base else {}

    if "batches" in data:
        batches = {}
        for label, national in data["batches"].items():
            batches[_text(where, "batches", label)] = _text(where, f"batches.{label}", national)
        if not batches:
            raise _err(where, "“batches”", "至少应有一个“四个一批”类别")
    else:
        batches = dict(base.batches) if base else {}

    negative = _negative(data.get("negative_list"), where, folder, base)

    catalog = policy.parameters()
    params = dict(base.parameters) if base else {n: p.default for n, p in catalog.items()}
    for name, p in catalog.items():        # a parameter added to the catalog after an edition was written
        params.setdefault(name, p.default)
    given = data.get("parameters", {})
    for name, raw in given.items():
        if name not in catalog:
            raise _err(where, f"未知的键“parameters.{name}”", f"（可用：{'、'.join(catalog)}）")
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise _err(where, f"“parameters.{name}”", f"的值“{raw}”不是数字")
        try:
            params[name] = policy._typed(name, raw, catalog[name].default)
        except PolicyError as exc:
            raise _err(where, f"“parameters.{name}”", f"：{exc}") from None
    if "scope_start_year" in given and "start_year" in scope and given["scope_start_year"] != start_year:
        raise _err(where, "“parameters.scope_start_year”", f"与“scope.start_year”（{start_year}）不一致")
    if "scope_start_year" in given and "start_year" not in scope:
        start_year = params["scope_start_year"]
    params["scope_start_year"] = start_year
    for low, high in (("income_rate_too_low", "income_rate_reasonable"),
                      ("contract_red_months", "contract_yellow_months")):
        if params[low] > params[high]:
            raise _err(where, f"“parameters.{low}”", f"不能大于“parameters.{high}”")

    if "milestones" in data:
        raw_ms = data["milestones"]
        if not isinstance(raw_ms, list):
            raise _err(where, "“milestones”", "应写作 [[milestones]] 各节")
        milestones, seen = [], set()
        for i, m in enumerate(raw_ms, 1):
            key = f"milestones[{i}]"
            if not isinstance(m, dict):
                raise _err(where, f"“{key}”", "应为一节（id、name、due、measure）")
            _unknown(where, "milestones", m)
            for k in ("id", "due", "measure"):
                if k not in m:
                    raise _err(where, f"缺少“{key}.{k}”", "")
            mid = _text(where, f"{key}.id", m["id"])
            if mid in seen:
                raise _err(where, f"“{key}.id”", f"重复：{mid}")
            seen.add(mid)
            measure = m["measure"]
            if measure not in MEASURES:
                raise _err(where, f"“{key}.measure”", f"的值“{measure}”不是可用的口径（可用：{'、'.join(MEASURES)}）")
            milestones.append(Milestone(mid, _text(where, f"{key}.name", m.get("name", mid)),
                                        _date(where, f"{key}.due", m["due"]), measure))
        milestones = tuple(milestones)
    else:
        milestones = base.milestones if base else ()

    reporting = data.get("reporting", {})
    if not isinstance(reporting, dict):
        raise _err(where, "“reporting”", "应为一节（[reporting]）")
    _unknown(where, "reporting", reporting)
    due_day = reporting.get("monthly_due_day", base.monthly_due_day if base else None)
    if isinstance(due_day, bool) or not isinstance(due_day, int) or not 1 <= due_day <= 28:
        raise _err(where, "“reporting.monthly_due_day”", f"应为1至28之间的日数，现为“{due_day}”")

    return Edition(document, title, effective, counts_from, start_year, funds, fund_aliases,
                   beneficiaries, batches, negative, params, milestones, due_day, src)


def _negative(raw: object, where: str, folder: Path | None, base: Edition | None):
    if raw is None:
        if base is None:
            raise _err(where, "缺少“negative_list”", "")
        return base.negative_list
    if isinstance(raw, str):
        name = raw.strip()
        if not name or Path(name).name != name:
            raise _err(where, "“negative_list”", f"应为与版本文件同一目录的文件名，现为“{raw}”")
        path = (folder or settings.data_dir() / "editions") / name
        try:
            items = policy.parse_negative_list(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            raise _err(where, "“negative_list”", f"所指文件“{name}”不存在或无法读取") from None
        except PolicyError as exc:
            raise _err(where, "“negative_list”", f"所指文件“{name}”：{exc}") from None
    elif isinstance(raw, list):
        items = []
        for i, row in enumerate(raw, 1):
            if not isinstance(row, dict):
                raise _err(where, f"“negative_list[{i}]”", "应为一节（item、keywords）")
            _unknown(where, "negative_list", row)
            item = _text(where, f"negative_list[{i}].item", row.get("item"))
            words = _texts(where, f"negative_list[{i}].keywords", row.get("keywords", [item]))
            items.append((item, list(words) or [item]))
        if not items:
            raise _err(where, "“negative_list”", "为空")
    else:
        raise _err(where, "“negative_list”", "应为文件名或 [[negative_list]] 各节")
    return tuple((item, tuple(words)) for item, words in items)


# --- writing ----------------------------------------------------------------------------

def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list(words) -> str:
    return "[" + ", ".join(_q(w) for w in words) + "]"


def _num(value: float | int) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def to_toml(e: Edition) -> str:
    """The edition's full text (every key, the negative list inline): parse(to_toml(e)) == e."""
    out = ["[edition]", f"document = {_q(e.document)}", f"title = {_q(e.title)}",
           f"effective_from = {e.effective_from.isoformat()}", f"counts_from = {e.counts_from.isoformat()}",
           "", "[scope]", f"start_year = {e.start_year}", f"funds = {_list(e.funds)}",
           "", "[scope.fund_aliases]"]
    out += [f"{_q(f)} = {_list(a)}" for f, a in e.fund_aliases.items()]
    out += ["", "[beneficiaries]"] + [f"{_q(c)} = {_list(a)}" for c, a in e.beneficiaries.items()]
    out += ["", "[batches]"] + [f"{_q(s)} = {_q(n)}" for s, n in e.batches.items()]
    out += ["", "[parameters]"] + [f"{n} = {_num(v)}" for n, v in e.parameters.items()
                                   if n != "scope_start_year"]
    out += ["", "[reporting]", f"monthly_due_day = {e.monthly_due_day}"]
    for m in e.milestones:
        out += ["", "[[milestones]]", f"id = {_q(m.id)}", f"name = {_q(m.name)}",
                f"due = {m.due.isoformat()}", f"measure = {_q(m.measure)}"]
    for item, words in e.negative_list:
        out += ["", "[[negative_list]]", f"item = {_q(item)}", f"keywords = {_list(words)}"]
    return "\n".join(out) + "\n"


def user_dir() -> Path:
    return settings.data_dir() / "editions"


def file_name(e: Edition) -> str:
    """2026-01-01_鄂前政办发〔2026〕1号.toml (characters a file name cannot hold become _)."""
    doc = re.sub(r'[\\/:*?"<>|\s]+', "_", e.document)
    return f"{e.effective_from.isoformat()}_{doc}.toml"


def save(e: Edition, folder: Path | None = None) -> Path:
    """Write the edition (checked by parsing it back) into $ZCPH_DATA_DIR/editions/.  An edition
    is never edited in place: a file of that name already there is refused."""
    text = to_toml(e)
    parse(text, file_name(e))
    folder = folder or user_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(e)
    refused = PolicyError(f"政策版本文件“{path.name}”已存在：已保存的版本不能修改，请以新的文号或施行日期另存")
    if path.exists():
        raise refused
    tmp = folder / f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp"   # never read: not *.toml
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)          # whole file or nothing, and never over another writer's
    except FileExistsError:
        raise refused from None
    finally:
        tmp.unlink(missing_ok=True)
    return path


# --- loading ------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, object] = {}


def _listing() -> tuple:
    files = []
    for folder in (BUNDLED_DIR, user_dir()):
        try:
            entries = sorted(folder.glob("*.toml"))
        except OSError:
            continue
        for p in entries:
            try:
                st = p.stat()
            except OSError:
                continue
            files.append((str(p), st.st_mtime_ns, st.st_size))
        # a negative list beside the editions changes them too
        for p in sorted(folder.glob("*.csv")) if folder.exists() else ():
            st = p.stat()
            files.append((str(p), st.st_mtime_ns, st.st_size))
    return tuple(files)


def version() -> str:
    """Changes whenever an edition file (or a negative list beside one) is added, removed or
    changed: the app keys its cached evaluations by it, so every process sees a new edition
    on its next page run."""
    import hashlib
    return hashlib.sha256(repr(_listing()).encode("utf-8")).hexdigest()[:16]


def seed() -> Edition:
    """The bundled seed edition (no inheritance: it holds every key)."""
    key = ("seed",) + _stat(SEED_FILE)
    with _lock:
        hit = _cache.get("seed")
        if hit and hit[0] == key:
            return hit[1]
    e = _from_data(_toml(SEED_FILE.read_text(encoding="utf-8"), SEED_FILE.name), SEED_FILE.name,
                   SEED_FILE.parent, None, BUNDLED)
    with _lock:
        _cache["seed"] = (key, e)
    return e


def _stat(path: Path) -> tuple:
    st = path.stat()
    return (st.st_mtime_ns, st.st_size)


def scan() -> tuple[list[Edition], list[tuple[Path, str]]]:
    """Every edition that passes its checks (oldest first) and the files refused, with why.
    Among editions taking effect the same day, the administrator's (then the later file name) wins."""
    listing = _listing()
    with _lock:
        hit = _cache.get("all")
        if hit and hit[0] == listing:
            return list(hit[1]), list(hit[2])
    base = seed()
    editions, refused = [], []
    for folder in (BUNDLED_DIR, user_dir()):
        if not folder.exists():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                if path == SEED_FILE:
                    e = base
                else:
                    e = parse(path, base=base)
                    if folder != BUNDLED_DIR:
                        e = replace(e, source=str(path))
                    else:
                        e = replace(e, source=BUNDLED)
            except PolicyError as exc:
                refused.append((path, str(exc)))
                continue
            editions.append(e)
    editions = _ordered(editions)
    with _lock:
        _cache["all"] = (listing, editions, refused)
    return list(editions), list(refused)


def _ordered(editions: list[Edition]) -> list[Edition]:
    # stable: bundled before the administrator's, by file name within a folder
    return sorted(editions, key=lambda e: e.effective_from)


def load_all() -> list[Edition]:
    return scan()[0]


def in_force(as_of: dt.date | None = None, editions: list[Edition] | None = None) -> Edition:
    """The latest edition whose effective date is on or before `as_of` (today when None);
    an as_of before every edition is judged by the first."""
    editions = editions if editions is not None else load_all()
    if not editions:
        return seed()
    as_of = as_of or dt.date.today()
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    chosen = editions[0]
    for e in editions:
        if e.effective_from <= as_of:
            chosen = e
    return chosen


def negative_list(e: Edition) -> list[tuple[str, list[str]]]:
    """The negative list an evaluation under `e` reads: the bundled editions' is the one the
    app's 负面清单 editor keeps ($ZCPH_DATA_DIR/negative_list.csv when edited, policy.py);
    an administrator's edition carries its own."""
    if e.source == BUNDLED and e.negative_list == seed().negative_list:
        return policy.read_negative_list()
    return [(item, list(words)) for item, words in e.negative_list]


def bindings(e: Edition) -> dict[str, object]:
    """The edition as the queries bind it: lists as $parameters, never spliced into SQL text."""
    pairs = [(item, word) for item, words in negative_list(e) for word in words]
    return {
        "fund_patterns": e.fund_patterns(), "fund_names": list(e.funds),
        "beneficiaries": e.beneficiary_words(),
        "effective_from": e.effective_from, "counts_from": e.counts_from,
        "milestone_ids": [m.id for m in e.milestones], "milestone_names": [m.name for m in e.milestones],
        "milestone_dues": [m.due for m in e.milestones], "milestone_measures": [m.measure for m in e.milestones],
        "negative_items": [i for i, _ in pairs], "negative_keywords": [w for _, w in pairs],
        "batch_labels": list(e.batches), "batch_national": list(e.batches.values()),
    }


def negative_list_csv(e: Edition) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["item", "keywords"])
    for item, words in e.negative_list:
        w.writerow([item, "；".join(words)])
    return buf.getvalue()
