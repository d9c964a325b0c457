"""Text from a ledger or a user that tries to be more than text (issue 19 item 9): a Markdown
image and link, an HTML tag with a script, a link to javascript:, an Excel formula.  The
address is on the loopback range (127.0.0.2, no server there): a browser that fetches it
is caught by the test, and nothing leaves the machine even then.

    payload_books(path)  the sample with every text column of every sheet carrying them
"""
from __future__ import annotations

import pandas as pd

from dashboard import ledgers, model, template

IMAGE = "![b](http://127.0.0.2:9/x)"
TAG = "<img src=http://127.0.0.2:9/y onerror=alert(1)>"
LINK = "[l](javascript:alert(1))"
FORMULA = '=HYPERLINK("http://127.0.0.2:9/z")'
SUFFIX = f" {IMAGE} {TAG} {LINK}"           # after every text value
PROFILE_NAME = "![p](http://127.0.0.2:9/y) <img src=x onerror=alert(2)>"
ACCOUNT_NAME = "![n](http://127.0.0.2:9/n) **管理员**"
OUTSIDE = "127.0.0.2"


def hostile(value, formula: bool = False):
    """The value with the payloads after it (and the formula before it); a blank stays blank."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return value
    return f"{FORMULA if formula else ''}{value}{SUFFIX}"


def payload_books(sample: str, label: str = "含恶意文本的台账") -> ledgers.Ledgers:
    """The sample read as usual, then every TEXT column of every sheet (asset IDs too, the same
    way in every sheet, so the sheets still join; the asset name also starting with a formula)
    rewritten by `hostile`, then loaded as an upload would be."""
    books = ledgers.load([sample], label=label, max_bytes=4 * 1024 ** 3)
    tables = books.result.tables
    for sheet in template.SHEETS:
        frame = tables.get(sheet.name)
        if frame is None:
            continue
        for col in sheet.columns:
            if col.kind == template.TEXT and col.name in frame:
                frame[col.name] = frame[col.name].astype(object).map(
                    lambda v, f=col.name == "asset_name": hostile(v, formula=f))
    con = model.connect()
    model.load_tables(con, tables, books.result.columns)
    return ledgers.Ledgers(label, con, books.data_date, books.result)


def read(markdown: str) -> str:
    """What a reader sees of Markdown that safe.md wrote (AppTest gives the source): the
    backslash escapes dropped, the invisible word joiners too."""
    import re

    from dashboard.safe import WORD_JOINER
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")
