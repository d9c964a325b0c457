"""Every `ZCPH_*` environment setting, in one place (issue 20.6).

`SETTINGS` names each one with its default and what it does (Chinese, then English); the app
reads them only through the getters below, which read the environment on every call (tests
set and unset variables with monkeypatch).  docs/operations.md lists them in a table, and
tests/test_settings.py fails on a `ZCPH_` name used anywhere that is not registered here and
documented there.  Not to be confused with dashboard/store/settings.py: the values the
administrator saves in the store (红头 defaults, the published 公示 month …).

A setting that is empty counts as unset; a number that is not a positive number is ignored
(the default applies), so a typo never stops a server.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]


class Setting(NamedTuple):
    default: object          # None: unset, the code decides (the description says how)
    description: str
    test_only: bool = False  # read by the tests (and .ci/run), never by the app


SETTINGS: dict[str, Setting] = {
    # where things live
    "ZCPH_DATA_DIR": Setting("var/", "数据目录：已保存月份、导入方案、负面清单、store.sqlite、secret.key、报送 / "
                             "the data folder: saved months, import profiles, negative list, SQLite store, session key"),
    "ZCPH_SAMPLE": Setting("data/sample.xlsx", "演示模式和示例数据读取的工作簿 / the workbook shown as the sample"),
    "ZCPH_DATABASE_URL": Setting(None, "运行存储（账号、会话、审计、报送）；不设为数据目录中的SQLite / the store's URL, "
                                 "e.g. postgresql+psycopg://zcph_app:…@host/zcph; unset: SQLite in the data folder"),
    "ZCPH_MIGRATE_DATABASE_URL": Setting(None, "迁移数据库结构所用的所有者角色；不设用ZCPH_DATABASE_URL / the owner "
                                         "role's URL for schema migrations; unset: the runtime URL"),
    "ZCPH_SECRET_KEY": Setting(None, "会话令牌和XSRF的签名密钥；不设则读写数据目录中的secret.key / signs session "
                               "tokens (all servers must share it); unset: secret.key in the data folder"),
    # sign-in and the store
    "ZCPH_SESSION_IDLE_MINUTES": Setting(30.0, "登录会话空闲多少分钟后结束 / minutes of idleness that end a session"),
    "ZCPH_STORE_TIMEOUT_SECONDS": Setting(5.0, "PostgreSQL连接和每条语句的时限（秒），占用超过时限+3秒即切断 / "
                                          "seconds for connecting and for each statement; a checkout held 3 s "
                                          "longer is cut"),
    # uploads and imports
    "ZCPH_UPLOAD_CELL_BUDGET": Setting(20_000_000, "单次上传的单元格上限（各表行×列之和）/ cells one upload may hold"),
    "ZCPH_UPLOAD_ROW_BUDGET": Setting(500_000, "单次上传的行数上限（各表之和）/ rows one upload may hold"),
    "ZCPH_UPLOAD_MAX_COLUMNS": Setting(1_000, "单个工作表的列数上限 / columns one sheet may have"),
    "ZCPH_IMPORT_MEMORY_MB": Setting(8192, "每个导入进程的内存上限（MB）/ a parse worker's memory ceiling, MB"),
    "ZCPH_IMPORT_SECONDS": Setting(600.0, "每个文件的导入时限（秒）/ seconds one file's import may take"),
    "ZCPH_IMPORT_WORKERS": Setting(None, "并行导入进程数；不设为min(2, CPU核数) / parse workers; unset: min(2, cores)"),
    "ZCPH_IMPORT_START": Setting(None, "导入进程的启动方式fork/forkserver/spawn；不设时单线程用fork、否则forkserver / "
                                 "multiprocessing start method of the parse workers"),
    # the SQL console
    "ZCPH_CONSOLE_SECONDS": Setting(10.0, "SQL控制台每条查询的时限（秒）/ seconds one console query may run"),
    "ZCPH_CONSOLE_RESULT_MB": Setting(20.0, "SQL控制台结果的大小上限（MB）/ largest console result, MB"),
    "ZCPH_CONSOLE_MEMORY_MB": Setting(2048.0, "SQL控制台工作进程的地址空间上限（MB）/ a console worker's address space, MB"),
    # loadtest
    "ZCPH_LOADTEST_PASSWORD": Setting(None, "loadtest --url 时登录用的密码（代替--password）/ the password for "
                                      "loadtest --url, instead of --password"),
    "ZCPH_LOADTEST_SHOTS": Setting(None, "loadtest出错时截图保存的目录 / folder for loadtest's screenshots of a failed step"),
    # the tests
    "ZCPH_TEST_DATABASE_URL": Setting(None, "测试用PostgreSQL（所有者角色）；不设则跳过PostgreSQL测试，CI中设置 / "
                                      "PostgreSQL for the tests (owner role); unset: those tests skip", True),
    "ZCPH_TEST_APP_DATABASE_URL": Setting(None, "测试用PostgreSQL的运行角色（只能INSERT/SELECT审计）/ the tests' "
                                          "runtime role on that database", True),
}


def _raw(name: str) -> str:
    if name not in SETTINGS:
        raise KeyError(f"{name} is not a registered setting (dashboard/settings.py)")
    return os.environ.get(name, "").strip()


def text(name: str) -> str:
    """The setting as text ('' when unset: the callers whose default is None decide)."""
    value = _raw(name)
    return value if value else str(SETTINGS[name].default or "")


def path(name: str) -> Path:
    """A folder or file: the setting, else its default relative to the project."""
    value = _raw(name)
    return Path(value) if value else ROOT / str(SETTINGS[name].default)


def number(name: str, default: float | None = None) -> float | None:
    """A positive number, else `default`, else the registered default."""
    try:
        value = float(_raw(name).replace(",", "").replace("_", ""))
    except ValueError:
        value = 0.0
    if value > 0:
        return value
    fallback = default if default is not None else SETTINGS[name].default
    return None if fallback is None else float(fallback)


def whole(name: str, default: int | None = None) -> int | None:
    """A positive whole number (1,000 and 1_000 read as 1000), else `default`, else the registered one."""
    try:
        value = int(_raw(name).replace(",", "").replace("_", ""))
    except ValueError:
        value = 0
    if value > 0:
        return value
    fallback = default if default is not None else SETTINGS[name].default
    return None if fallback is None else int(fallback)


def data_dir() -> Path:
    return path("ZCPH_DATA_DIR")
