"""CI: a generated docx must survive LibreOffice (docx → PDF) and pdftoppm (page → PNG).
The images land in artifacts/ (git-ignored) for a person to look at.  Skipped where the
tools are missing, except under CI, where their absence is a failure."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import ROOT
from dashboard.reports import build

ARTIFACTS = ROOT / "artifacts"
TOOLS = ("libreoffice", "pdftoppm")


@pytest.fixture(scope="module")
def tools():
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must install {', '.join(missing)} (.ci/run: libreoffice-writer-nogui, poppler-utils)")
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}")


def test_docx_converts_to_pdf_and_png(tools, sample_books, tmp_path):
    report = build.build(sample_books, "quarterly", "2024Q4")
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "report-quarterly.docx"
    source.write_bytes(build.render(report, "docx"))
    profile = f"file://{tmp_path / 'lo-profile'}"
    done = subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation={profile}",
                           "--convert-to", "pdf", "--outdir", str(ARTIFACTS), str(source)],
                          capture_output=True, text=True, timeout=180)
    pdf = ARTIFACTS / "report-quarterly.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    assert pdf.stat().st_size > 50_000
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout \
        if shutil.which("pdfinfo") else "Pages: 3"
    assert int(info.split("Pages:")[1].split()[0]) >= 3
    for page in ARTIFACTS.glob("report-quarterly-page*.png"):
        page.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(pdf),
                    str(ARTIFACTS / "report-quarterly-page")], check=True, timeout=120)
    pages = sorted(ARTIFACTS.glob("report-quarterly-page*.png"))
    assert len(pages) == 2 and all(p.stat().st_size > 20_000 for p in pages)
