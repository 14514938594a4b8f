"""The writers: exact columns and types, CSV that survives commas and line
breaks, metrics_wide's choice of value, and atomic publication."""
from __future__ import annotations

import csv

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.rows import TABLES, DocumentRows, columns
from pipeline.write import OutputTables
from schemas import DocumentFacts, EntityRecord, ExtractedDocument, FigureRecord, IssueRecord

METRICS = ["penalty.total", "penalty.warning", "penalty.amount"]
SENTENCE = '全年查处案件12件，其中警告3件；\n另有"通报"1件'


def figure(start: int, value: float, metric: str, *, org: str = "", year: int | None = 2023,
           approx: bool = False) -> FigureRecord:
    return FigureRecord(
        figure_id=f"a.txt:{start}", doc_id="a.txt", start=start, end=start + 3, text=f"{value:g}件",
        value=value, unit="件", unit_kind="count", approx=approx, metric=metric, year=year, sentence=SENTENCE,
        org=org, extractor="pattern",
    )


def document(figures: list[FigureRecord], **fields) -> ExtractedDocument:
    return ExtractedDocument(
        doc_id="a.txt", path="in/a.txt", sha256="ab", encoding="utf-8", format="txt",
        original="x" * 40, facts=DocumentFacts(agency="某市司法局", report_year=2023),
        figures=figures,
        entities=[EntityRecord(entity_id="a.txt:jieba:0", doc_id="a.txt", start=0, end=5, text="某市司法局",
                               label="ORG", backend="jieba", sentence=SENTENCE)],
        issues=[IssueRecord(doc_id="a.txt", severity="warning", stage="check", message="parts, exceed, total")],
        **fields,
    )


def read_csv(path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write(out, *docs: ExtractedDocument) -> None:
    with OutputTables(out, METRICS) as tables:
        for doc in docs:
            tables.add(DocumentRows.from_document(doc))


def test_every_table_has_the_model_columns_in_csv_and_parquet(tmp_path):
    write(tmp_path, document([figure(10, 12, "penalty.total")]))
    for name, model in TABLES.items():
        header, *rows = read_csv(tmp_path / f"{name}.csv")
        assert header == columns(model)
        assert len(rows) == 1
        assert pq.read_schema(tmp_path / f"{name}.parquet").names == columns(model)
    assert read_csv(tmp_path / "metrics_wide.csv")[0] == ["doc_id", *METRICS]


def test_parquet_types_follow_the_models(tmp_path):
    write(tmp_path, document([figure(10, 12, "penalty.total", year=None)]))
    documents = pq.read_schema(tmp_path / "documents.parquet")
    assert documents.field("report_year").type == pa.int64() and documents.field("report_year").nullable
    assert documents.field("n_chars").type == pa.int64() and not documents.field("n_chars").nullable
    assert documents.field("status").type == pa.string()
    figures = pq.read_table(tmp_path / "figures.parquet")
    assert figures.schema.field("start").type == pa.int64()
    assert figures.schema.field("value").type == pa.float64()
    assert figures.schema.field("approx").type == pa.bool_()
    assert figures.column("year").to_pylist() == [None]
    assert figures.column("value").to_pylist() == [12.0]


def test_csv_keeps_commas_quotes_and_line_breaks_and_has_no_bom(tmp_path):
    write(tmp_path, document([figure(10, 12, "penalty.total")]))
    raw = (tmp_path / "figures.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    header, row = read_csv(tmp_path / "figures.csv")
    assert row[header.index("sentence")] == SENTENCE
    assert row[header.index("year")] == "2023"
    header, row = read_csv(tmp_path / "issues.csv")
    assert row[header.index("message")] == "parts, exceed, total"
    header, row = read_csv(tmp_path / "documents.csv")
    assert row[header.index("report_year")] == "2023" and row[header.index("n_figures")] == "1"


def test_metrics_wide_takes_the_first_whole_document_figure_of_the_report_year(tmp_path):
    figures = [
        figure(50, 7, "penalty.total"),                 # later mention of the same metric
        figure(5, 3, "penalty.total", org="市本级"),      # a sub-unit's count
        figure(8, 9, "penalty.total", year=2022),       # last year's, for comparison
        figure(20, 12, "penalty.total"),                # the report's own total
        figure(30, 4, "penalty.warning", year=None),    # no year stated: the report's
    ]
    write(tmp_path, document(figures), document([]).model_copy(update={"doc_id": "b.txt"}))
    header, first, second = read_csv(tmp_path / "metrics_wide.csv")
    assert dict(zip(header, first)) == {"doc_id": "a.txt", "penalty.total": "12.0", "penalty.warning": "4.0",
                                        "penalty.amount": ""}
    assert second == ["b.txt", "", "", ""]


def test_a_failure_mid_write_leaves_the_previous_tables_untouched(tmp_path):
    write(tmp_path, document([figure(10, 12, "penalty.total")]))
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    bad = DocumentRows.from_document(document([figure(10, 12, "penalty.total")]))
    bad_figure = list(bad.figures[0])
    bad_figure[columns(FigureRecord).index("value")] = "not a number"  # fails when the row group is built
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        with OutputTables(tmp_path, METRICS) as tables:
            tables.add(DocumentRows.from_document(document([figure(10, 99, "penalty.total")])))
            tables.add(bad._replace(figures=[tuple(bad_figure)]))

    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_an_exception_in_the_run_discards_the_new_tables(tmp_path):
    write(tmp_path, document([figure(10, 12, "penalty.total")]))
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(KeyboardInterrupt):
        with OutputTables(tmp_path, METRICS) as tables:
            tables.add(DocumentRows.from_document(document([])))
            raise KeyboardInterrupt
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_row_groups_bound_the_buffer_but_not_the_output(tmp_path, monkeypatch):
    monkeypatch.setattr("pipeline.write.ROW_GROUP_ROWS", 16)
    starts = range(40)
    docs = [document([figure(start, start + 0.5, "", year=None if start % 2 else 2023, approx=start % 3 == 0)
                      for start in starts[i:i + 8]]) for i in range(0, 40, 8)]
    write(tmp_path, *docs)
    parquet = pq.ParquetFile(tmp_path / "figures.parquet")
    assert [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)] == [16, 16, 8]
    table = parquet.read()
    assert table.column("start").to_pylist() == list(starts)
    assert table.column("value").to_pylist() == [start + 0.5 for start in starts]
    assert table.column("year").to_pylist() == [None if start % 2 else 2023 for start in starts]
    assert table.column("approx").to_pylist() == [start % 3 == 0 for start in starts]
    assert table.column("sentence").to_pylist() == [SENTENCE] * 40
    assert table.column("metric").to_pylist() == [""] * 40  # an empty string, not a null
    assert len(read_csv(tmp_path / "figures.csv")) == 41


def test_parquet_holds_exactly_the_csv_values_however_awkward(tmp_path):
    awkward = ['a,"b"\nc\r\nd', "", " 两端有空格 ", "=1+1", "NaN", "null", "True"]
    values = [0.1 + 0.2, 1e-07, 72821179.0, 123456789012.5, 0.0, 3.0, 1.5]
    figures = [figure(i, value, "", year=None if i % 2 else 2023).model_copy(update={"subject": text})
               for i, (text, value) in enumerate(zip(awkward, values))]
    write(tmp_path, document(figures))
    table = pq.read_table(tmp_path / "figures.parquet")
    assert table.column("subject").to_pylist() == awkward  # text stays text, "" is not a null
    assert table.column("value").to_pylist() == values  # floats round-trip exactly
    assert table.column("year").to_pylist() == [2023, None, 2023, None, 2023, None, 2023]
    assert [row[columns(FigureRecord).index("subject")] for row in read_csv(tmp_path / "figures.csv")[1:]] == awkward
