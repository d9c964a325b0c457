"""督办 evidence files: pdf, jpg, png, xlsx, docx, each ≤ 20 MB, judged by their content and
not only their name, kept under `$ZCPH_DATA_DIR/supervision/evidence/` by SHA-256 (one copy
of a file however often it is sent).  Anything else is refused with a Chinese message and
nothing is written."""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dashboard import snapshots

MAX_BYTES = 20 * 1024 * 1024
KINDS = {".pdf": "pdf", ".jpg": "jpg", ".jpeg": "jpg", ".png": "png", ".xlsx": "xlsx", ".docx": "docx"}
ALLOWED = "PDF、JPG、PNG、XLSX、DOCX"
FOLDER = Path("supervision") / "evidence"


class EvidenceError(ValueError):
    """A refused file (Chinese message)."""


@dataclass(frozen=True)
class Kept:
    name: str
    kind: str
    size: int
    sha256: str
    path: str          # relative to the data folder


def clean_name(name: str) -> str:
    """The file's own name, without folders or control characters, at most 120 characters."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", str(name or "")))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 120:
        stem, ext = os.path.splitext(base)
        base = stem[:120 - len(ext)] + ext
    return base


def sniff(head: bytes, data_for_zip) -> str | None:
    """The kind the content is (pdf, jpg, png, xlsx, docx), else None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(data_for_zip()) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" in names:
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "word/document.xml" in names:
                return "docx"
    return None


def keep(name: str, data: bytes | Path) -> Kept:
    """Check the file and store it; EvidenceError (nothing stored) when it is not acceptable."""
    shown = clean_name(name if not isinstance(name, Path) else name.name) or "（无名文件）"
    kind = KINDS.get(os.path.splitext(shown)[1].lower())
    if kind is None:
        raise EvidenceError(f"文件“{shown}”的类型不能作为佐证材料，只接受{ALLOWED}文件。")
    if isinstance(data, Path):
        try:
            size = data.stat().st_size
        except OSError:
            raise EvidenceError(f"无法读取文件“{shown}”。") from None
        if size > MAX_BYTES:
            raise EvidenceError(_too_big(shown, size))
        data = data.read_bytes()
    size = len(data)
    if size > MAX_BYTES:
        raise EvidenceError(_too_big(shown, size))
    if size == 0:
        raise EvidenceError(f"文件“{shown}”是空文件。")
    found = sniff(data[:16], lambda: io.BytesIO(data))
    if found != kind:
        raise EvidenceError(f"文件“{shown}”的内容不是{kind.upper()}文件（扩展名与内容不符），未保存。"
                            f"只接受{ALLOWED}文件。")
    digest = hashlib.sha256(data).hexdigest()
    relative = FOLDER / f"{digest}.{kind}"
    target = snapshots.data_dir() / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    return Kept(shown, kind, size, digest, relative.as_posix())


def _too_big(shown: str, size: int) -> str:
    return f"文件“{shown}”大小为{size / 1024 / 1024:.1f} MB，超过20 MB的上限，未保存。"
