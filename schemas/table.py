"""Tables the reader finds, as spans over the document's one text.

A table is structure beside the text, the way a spaCy Doc keeps sentences
and entities: every cell is a span `[start, end)` of `original` (so a figure
taken from a cell is grounded like any other), with its place in the grid.
Spanned cells are resolved: a cell with rowspan/colspan > 1 is listed once,
at its top-left position; `Table.grid()` gives every (row, col) its cell.
"""
from __future__ import annotations

from pydantic import BaseModel, Field


class Cell(BaseModel):
    row: int  # from 0, top-left position of the cell
    col: int
    rowspan: int = 1
    colspan: int = 1
    text: str  # the cell's text as the reader sees it (whitespace folded)
    start: int  # span in `original`; start == end for a cell with no text
    end: int
    value: float | None = None  # a number the file stores as a number (workbooks), else None
    is_header: bool = False  # the file marks it a header (<th>, a bold/merged header row) or the reader decided so


class Table(BaseModel):
    index: int  # from 1, in document order
    n_rows: int
    n_cols: int
    cells: list[Cell] = Field(default_factory=list)
    caption: str = ""  # the title line(s) above it (表一 …统计表) and a 单位：… line
    start: int = 0  # span of the whole table in `original`
    end: int = 0
    sheet: str = ""  # workbook sheet name
    page: int | None = None  # PDF page, from 1
    source: str = ""  # html, text, xlsx, xls, docx, pdf

    def grid(self) -> list[list[Cell | None]]:
        """Every (row, col) position with the cell that covers it (None where no cell does)."""
        grid: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    grid[r][c] = cell
        return grid
