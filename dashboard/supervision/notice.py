"""督办通知 (Word under the 红头): written when 督办 is issued; filled in below."""
from __future__ import annotations


def keep(notice) -> None:
    return None
