"""Binary report files the tests build for themselves: a workbook, a Word
document, PDFs (with a text layer and ruled table, scanned, encrypted), a
legacy XLS, and bad files (a corrupt ZIP, a zip bomb, a fake .doc, a PNG).
Each builder returns the file's bytes."""
from __future__ import annotations

import io
import zipfile


def workbook_xlsx() -> bytes:
    """Sheet 表一: a title row, two header rows under merged cells (行政处罚
    实施数量（件） over 警告 … 合计; 罚没金额（万元） and 纠错率 down both header
    rows), two data rows with a percent cell. Sheet 分部门: one row per
    department and a 合计 row."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "表一"
    sheet["A1"] = "2023年度行政执法数据统计表"
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "执法单位"
    sheet.merge_cells("A2:A3")
    sheet["B2"] = "行政处罚实施数量（件）"
    sheet.merge_cells("B2:F2")
    for column, name in zip("BCDEF", ["警告", "罚款", "没收违法所得", "责令停产停业", "合计"]):
        sheet[f"{column}3"] = name
    sheet["G2"] = "罚没金额（万元）"
    sheet.merge_cells("G2:G3")
    sheet["H2"] = "纠错率"
    sheet.merge_cells("H2:H3")
    rows = [["市场监管局", 12, 30, 2, 1, 45, 56.78, 0.125],
            ["交通运输局", 3, 7, 0, 0, 10, 1.5, 0.04]]
    for row_number, values in enumerate(rows, start=4):
        for column, value in zip("ABCDEFGH", values):
            sheet[f"{column}{row_number}"] = value
        sheet[f"H{row_number}"].number_format = "0.0%"
        sheet[f"G{row_number}"].number_format = "0.00"
    second = workbook.create_sheet("分部门")
    second.append(["部门", "行政许可（件）", "行政检查（次）"])
    second.append(["发展改革委", 120, 35])
    second.append(["  生态 环境局 ", 80, 410])
    second.append(["合　　计", 200, 445])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_docx() -> bytes:
    """Paragraphs, a table with a vertically merged 项目 and 合计 and a 行政处罚
    cell spanning two columns, and a paragraph after it."""
    import docx

    document = docx.Document()
    document.add_paragraph("某市司法局2023年行政执法情况报告")
    document.add_paragraph("一、总体情况")
    document.add_paragraph("全年共办理行政处罚案件120件，同比增长5%。")
    document.add_paragraph("表1 行政处罚情况统计表")
    document.add_paragraph("单位：件")
    table = document.add_table(rows=3, cols=4)
    table.style = "Table Grid"
    texts = [["项目", "行政处罚", "", "合计"], ["", "警告", "罚款", ""], ["数量", "20", "100", "120"]]
    for row, row_texts in zip(table.rows, texts):
        for cell, text in zip(row.cells, row_texts):
            cell.text = text
    table.cell(0, 1).merge(table.cell(0, 2))
    table.cell(0, 0).merge(table.cell(1, 0))
    table.cell(0, 3).merge(table.cell(1, 3))
    document.add_paragraph("二、存在问题")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _song_canvas(buffer: io.BytesIO, **options):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # a built-in CID font: Chinese without a font file
    pdf = canvas.Canvas(buffer, **options)
    pdf.setFont("STSong-Light", 12)
    return pdf


def report_pdf(encrypt: str | None = None) -> bytes:
    """Page 1: two lines, a ruled table (执法单位 down two rows, 行政处罚（件）
    over 警告 | 罚款, two data rows), a line after it. Page 2: one line, overprinted,
    and two rows of two columns drawn without lines."""
    buffer = io.BytesIO()
    pdf = _song_canvas(buffer, encrypt=encrypt)
    pdf.drawString(72, 780, "2023年全市行政处罚实施1234件。")
    pdf.drawString(72, 760, "表一 行政处罚统计表")
    xs, ys = [72, 192, 292, 392], [740, 720, 700, 680, 660]
    for y in (ys[0], ys[2], ys[3], ys[4]):
        pdf.line(xs[0], y, xs[-1], y)
    pdf.line(xs[1], ys[1], xs[-1], ys[1])  # under 行政处罚（件） only: 执法单位 spans both header rows
    for x in (xs[0], xs[1], xs[3]):
        pdf.line(x, ys[0], x, ys[-1])
    pdf.line(xs[2], ys[1], xs[2], ys[-1])  # 行政处罚（件） spans two columns
    cells = [(0, 0, "执法单位"), (0, 1, "行政处罚（件）"), (1, 1, "警告"), (1, 2, "罚款"),
             (2, 0, "市场监管局"), (2, 1, "12"), (2, 2, "30"), (3, 0, "交通运输局"), (3, 1, "3"), (3, 2, "7")]
    for row, col, text in cells:
        pdf.drawString(xs[col] + 4, ys[row] - 15, text)
    pdf.drawString(72, 640, "表后说明文字。")
    pdf.showPage()
    pdf.setFont("STSong-Light", 12)
    for shift in (0, 0.3):  # a heading made bold by drawing it twice, a hair apart
        pdf.drawString(72 + shift, 780, "二、罚没金额56.7万元。")
    for y, (label, count) in zip((750, 730), [("项目", "件数"), ("警告 处罚", "20")]):  # columns without lines
        pdf.drawString(72, y, label)
        pdf.drawString(250, y, count)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def framed_pdf() -> bytes:
    """Two lines of text inside a frame drawn round the page, a rule across it
    under the title (the frame's two boxes, one above the other, are no grid)."""
    buffer = io.BytesIO()
    pdf = _song_canvas(buffer)
    pdf.rect(40, 40, 515, 760)
    pdf.line(40, 752, 555, 752)
    pdf.drawString(72, 760, "关于2023年行政执法工作的报告")
    pdf.drawString(72, 740, "全年受理行政复议申请86件。")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A page that is only an image: no text layer."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    image = Image.new("L", (200, 100), color=255)
    buffer = io.BytesIO()
    pdf = _song_canvas(buffer)
    pdf.drawImage(ImageReader(image), 72, 600, width=400, height=200)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def legacy_xls() -> bytes:
    """An Excel 97-2003 workbook (written with xlwt, a test-only dependency):
    a merged header over two columns, numbers, a percent cell."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("行政许可")
    sheet.write_merge(0, 0, 1, 2, "行政许可（件）")
    sheet.write(0, 0, "单位")
    sheet.write(1, 1, "受理")
    sheet.write(1, 2, "办结")
    sheet.write(2, 0, "市本级")
    sheet.write(2, 1, 1520)
    sheet.write(2, 2, 1498.5)
    sheet.write(3, 0, "办结率")
    sheet.write(3, 2, 0.9855, xlwt.easyxf(num_format_str="0.00%"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def png_image() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_with(members: dict[str, bytes], compresslevel: int | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb_xlsx(unpacked_mb: int) -> bytes:
    """A workbook's [Content_Types].xml and a member of `unpacked_mb` MB of
    zeros, written a megabyte at a time (it never sits in memory whole)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", '<Types><Override ContentType="application/'
                         'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            megabyte = bytes(1 << 20)
            for _ in range(unpacked_mb):
                member.write(megabyte)
    return buffer.getvalue()


def unmapped_font_pdf(with_latin_line: bool) -> bytes:
    """A PDF written by hand whose font (Identity-H, no ToUnicode map) maps its
    glyphs to no characters, as some government PDFs' subset fonts do; with a
    line in Helvetica, which maps, when `with_latin_line`."""
    content = b"BT /F1 12 Tf 72 700 Td <0012003400560078> Tj ET"
    if with_latin_line:
        content += b"\nBT /F2 12 Tf 72 680 Td (Total 12) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R /F2 8 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /NoName /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NoName /FontDescriptor 7 0 R"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
        b"<< /Type /FontDescriptor /FontName /NoName /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0"
        b" /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def ole2_file(stream_names: list[str]) -> bytes:
    """A minimal OLE2 compound file (the container of .doc, .xls and of an
    encrypted .docx/.xlsx) holding streams of these names, 4 KiB of zeros
    each (at the mini-stream cutoff, so no mini stream is needed): sector 0
    the FAT, sector 1 the directory, the streams after."""
    import struct

    sector, end_of_chain, free, no_stream = 512, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
    per_stream = 4096 // sector
    assert len(stream_names) <= 3  # the root and three streams fill the one directory sector
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat = [0xFFFFFFFD, end_of_chain]  # the FAT's own sector, the directory's
    for index in range(len(stream_names)):
        first = 2 + index * per_stream
        fat += [*range(first + 1, first + per_stream), end_of_chain]
    fat_sector = struct.pack(f"<{sector // 4}I", *fat, *([free] * (sector // 4 - len(fat))))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return struct.pack("<64sHBBIII16sI8s8sIQ", encoded, len(encoded), kind, 1, no_stream, right, child,
                           bytes(16), 0, bytes(8), bytes(8), start, size)

    entries = [entry("Root Entry", 5, 1 if stream_names else no_stream, no_stream, end_of_chain, 0)]
    for index, name in enumerate(stream_names):
        right = index + 2 if index + 1 < len(stream_names) else no_stream
        entries.append(entry(name, 2, no_stream, right, 2 + index * per_stream, 4096))
    empty = struct.pack("<64sHBBIII16sI8s8sIQ", b"", 0, 0, 0, no_stream, no_stream, no_stream, bytes(16), 0,
                        bytes(8), bytes(8), 0, 0)
    directory = b"".join(entries) + empty * (4 - len(entries))
    return bytes(header) + fat_sector + directory + bytes(4096 * len(stream_names))
