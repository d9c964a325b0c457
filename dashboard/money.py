"""Money as users read it: the ledgers hold yuan, every page and document shows 万元.

`wan` converts (a number, for tables and number formats); `fmt_wan` and `fmt_amount`
write it in a sentence.  Decimal arithmetic, so 12345.67 yuan is 1.234567 万元 exactly.
"""
from __future__ import annotations

import math
from decimal import Decimal


def wan(yuan, places: int | None = None) -> float | None:
    """Yuan → 万元 as a number; None (or NaN) stays None; `places` rounds for display."""
    if yuan is None or (isinstance(yuan, float) and math.isnan(yuan)):
        return None
    value = float(Decimal(str(yuan)) / 10000)
    return value if places is None else round(value, places)


def fmt_wan(yuan, empty: str = "无") -> str:
    """Yuan → '1,234.56万元' (two decimals, as every report prints money)."""
    if yuan is None or yuan == "":
        return empty
    return f"{Decimal(str(yuan)) / 10000:,.2f}万元"


def fmt_amount(amount_wan: float | None) -> str:
    """An amount already in 万元 → '1,234.56万元' (none is 0.00万元, as the narratives say)."""
    return "0.00万元" if amount_wan is None else f"{amount_wan:,.2f}万元"
