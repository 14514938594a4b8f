#!/usr/bin/env python3
"""Reading time per file for each binary format, and what sniffing costs a text report.

    python benchmarks/readers.py        # a few seconds

Times `read_source` on the files the tests build (tests/binary_fixtures.py)
and on larger ones built the same way (a 20-page PDF, each page a paragraph
and a ruled table; a workbook of 2,000 rows × 10 columns; a .doc, when
LibreOffice is installed to make and read one): the first read
(which imports the format's library) and the best of REPEATS reads after.
Then, for the sample text reports in data/raw, the time of `sniff` alone
against the time of the whole `read_source`.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import binary_fixtures as fixtures  # noqa: E402
from pipeline.read import read_source  # noqa: E402
from pipeline.readers.sniff import sniff  # noqa: E402

REPEATS = 20


def long_pdf(pages: int = 20) -> bytes:
    buffer = io.BytesIO()
    pdf = fixtures._song_canvas(buffer)
    for page in range(pages):
        for line in range(10):
            pdf.drawString(72, 780 - 18 * line, f"第{page + 1}页第{line + 1}行：全年办理行政许可{1000 + line}件，行政检查{line * 7}次。")
        xs, ys = [72, 200, 300, 400, 500], [560 - 20 * row for row in range(12)]
        for y in ys:
            pdf.line(xs[0], y, xs[-1], y)
        for x in xs:
            pdf.line(x, ys[0], x, ys[-1])
        for row in range(11):
            for col in range(4):
                pdf.drawString(xs[col] + 4, ys[row] - 15, f"单位{row}" if col == 0 else str(row * 10 + col))
        pdf.showPage()
        pdf.setFont("STSong-Light", 12)
    pdf.save()
    return buffer.getvalue()


def big_xlsx(rows: int = 2000, cols: int = 10) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["单位", *(f"指标{c}" for c in range(1, cols))])
    for row in range(rows):
        sheet.append([f"单位{row}", *(row * cols + c for c in range(1, cols))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def best_of(function, repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    files = {
        "report.pdf (2 pages, 1 table)": fixtures.report_pdf(),
        "long.pdf (20 pages, 20 tables)": long_pdf(),
        "scanned.pdf (refused)": fixtures.scanned_pdf(),
        "report.docx (5 paragraphs, 1 table)": fixtures.report_docx(),
        "table.xlsx (2 sheets, 51 cells)": fixtures.workbook_xlsx(),
        "big.xlsx (2,001 × 10 cells)": big_xlsx(),
        "table.xls (9 cells)": fixtures.legacy_xls(),
        "photo.png (refused)": fixtures.png_image(),
        "bomb.xlsx (refused)": fixtures.zip_bomb_xlsx(210),
    }
    print(f"{'file':38} {'bytes':>9} {'first read':>11} {'best of ' + str(REPEATS):>11}  status")
    with tempfile.TemporaryDirectory() as folder:
        soffice = shutil.which("soffice")
        if soffice:  # a .doc made by LibreOffice from the test's DOCX, read back through it
            Path(folder, "report.docx").write_bytes(fixtures.report_docx())
            subprocess.run([soffice, f"-env:UserInstallation={Path(folder, 'profile').as_uri()}", "--headless",
                            "--convert-to", "doc", "--outdir", folder, str(Path(folder, "report.docx"))],
                           check=True, capture_output=True)
            files["report.doc (via LibreOffice)"] = Path(folder, "report.doc").read_bytes()
        for label, raw in files.items():
            path = Path(folder) / label.split()[0]
            path.write_bytes(raw)
            started = time.perf_counter()
            doc = read_source(path)
            first = time.perf_counter() - started
            slow = any(word in label for word in ("long", "big", "LibreOffice"))
            best = best_of(lambda: read_source(path), repeats=3 if slow else REPEATS)
            print(f"{label:38} {len(raw):>9,} {first * 1000:>9.1f}ms {best * 1000:>9.2f}ms  {doc.status} "
                  f"{len(doc.original):,} chars, {len(doc.tables)} tables")
    print()
    reports = sorted((ROOT / "data" / "raw").glob("*.txt"))
    sniff_time = sum(best_of(lambda raw=path.read_bytes(), suffix=path.suffix: sniff(raw, suffix), 200)
                     for path in reports)
    read_time = sum(best_of(lambda path=path: read_source(path)) for path in reports)
    print(f"{len(reports)} text reports: sniff {sniff_time * 1e6:.1f} µs in all, read_source {read_time * 1000:.2f} ms "
          f"in all ({sniff_time / read_time:.3%} of it)")


if __name__ == "__main__":
    main()
