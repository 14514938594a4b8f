"""`zhfig review`: the pages, opened in a real headless Chromium (one browser
for the module): one highlight per figure, details on click, no JavaScript
error; tables rendered as tables; a changed source file falls back to sentences."""
from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.runner import run
from pipeline.writers.review import Display, Job, render_page, write_review
from schemas import Cell, Table

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SCREENSHOT = ROOT / "docs" / "review.png"  # refreshed when ZHFIG_UPDATE_SCREENSHOT=1


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """The five sample reports and a web page, run and reviewed (the review by two worker processes)."""
    inputs = tmp_path_factory.mktemp("inputs")
    for source in [*sorted((ROOT / "data" / "raw").glob("*.txt")), ROOT / "tests" / "data" / "review" / "notice.html"]:
        shutil.copy(source, inputs)
    out = tmp_path_factory.mktemp("out")
    run([inputs], out, workers=1)
    write_review(out, workers=2)
    return out


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api", reason="the review's browser tests need the "
                                         "playwright package (pip install -e '.[test]')")
    if not CHROMIUM.is_file():
        pytest.skip("the review's browser tests need Chromium at /usr/bin/chromium (apt-get install chromium)")
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    yield page
    page.close()


def _figures(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "figures.csv", keep_default_na=False)


def test_every_figure_is_one_highlight_showing_its_own_text(out, page):
    figures = _figures(out)
    documents = pd.read_csv(out / "documents.csv", keep_default_na=False)
    page.goto((out / "review" / "index.html").as_uri())
    links = page.locator("#documents tbody a")
    assert links.count() == len(documents) == 6
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    total = 0
    for doc_id, href in zip(documents.doc_id, hrefs):
        page.goto((out / "review" / href).as_uri())
        shown = page.eval_on_selector_all("[data-figure-id]", "els => els.map(e => [e.dataset.figureId, e.textContent])")
        expected = figures[figures.doc_id == doc_id]
        assert sorted(map(tuple, shown)) == sorted(zip(expected.figure_id, expected.text)), doc_id
        total += len(shown)
    assert total == len(figures) == 247
    assert page.errors == []


def test_clicking_a_figure_shows_what_it_is(out, page):
    figures = _figures(out)
    page.goto((out / "review" / "index.html").as_uri())
    page.click("text=安吉县市场监督管理局2023年行政执法数据公示")
    page.click('[data-figure-id="notice.html:300"]')
    details = {field: page.inner_text(f'#details dd[data-field="{field}"]')
               for field in ("value", "metric", "subject", "year", "kind", "where", "figure_id")}
    figure = figures.set_index("figure_id").loc["notice.html:300"]
    assert figure.text == "236件"
    assert details == {"value": "236 件", "metric": "penalty.total 行政处罚", "subject": figure.subject,
                       "year": "2023", "kind": "level", "where": "prose", "figure_id": "notice.html:300"}
    assert page.get_attribute('tr[data-row-of="notice.html:300"]', "class") == "selected"
    page.select_option("#metric-filter", "licensing.applications")
    assert page.locator("#figures tbody tr:visible").count() == 1
    assert page.inner_text("#figure-count") == "1 shown"
    page.check("#show-entities")
    assert "show-entities" in page.get_attribute("body", "class")
    assert page.errors == []


def test_the_index_searches_all_documents_and_a_page_is_screenshot(out, page, tmp_path):
    page.goto((out / "review" / "index.html").as_uri())
    page.fill("#search-all", "公安局渝北区分局")
    page.wait_for_selector("#search-results tbody tr")
    assert page.locator("#search-results tbody tr").count() == 2  # the two reports of 重庆市公安局渝北区分局
    assert page.errors == []
    page.goto((out / "review" / page.get_attribute("#documents tbody a >> nth=0", "href")).as_uri())
    page.click('[data-figure-id="000_29a50878a8927d2e.txt:619"]')
    shot = tmp_path / "review.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("ZHFIG_UPDATE_SCREENSHOT") == "1":
        shutil.copy(shot, SCREENSHOT)


def test_a_changed_source_shows_each_figure_in_its_sentence(tmp_path):
    report = tmp_path / "in" / "notice.html"
    report.parent.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "review" / "notice.html", report)
    out = tmp_path / "out"
    run([report.parent], out, workers=1)
    report.write_text("changed", encoding="utf-8")
    result = CliRunner().invoke(app, ["review", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "1 document pages, 6 figures (0 in their text)" in result.output
    (page_file,) = (out / "review" / "docs").iterdir()
    html = page_file.read_text(encoding="utf-8")
    assert "has changed since the run" in html
    assert html.count("data-figure-id=") == 6
    assert not list(out.glob(".review*"))  # the temporary folder is gone


class _Highlights(HTMLParser):
    """figure id -> the tag of the table cell it stands in ('' outside tables)."""

    def __init__(self):
        super().__init__()
        self.cell, self.found = "", {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("td", "th"):
            self.cell = tag
        if "data-figure-id" in attrs:
            self.found[attrs["data-figure-id"]] = self.cell

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cell = ""


def test_a_table_is_shown_as_a_table_with_its_cells_highlighted():
    original = "执法数据统计\n项目\t件数\n行政处罚\t120\n行政检查\t3400\n以上数据截至年底，共计3520件。"
    at = original.index
    cell = lambda row, col, text, header=False: Cell(row=row, col=col, text=text, start=at(text),
                                                     end=at(text) + len(text), is_header=header)
    table = Table(index=1, n_rows=3, n_cols=2, start=at("项目"), end=at("3400") + 4, source="text", cells=[
        cell(0, 0, "项目", True), cell(0, 1, "件数", True), cell(1, 0, "行政处罚"), cell(1, 1, "120"),
        cell(2, 0, "行政检查"), cell(2, 1, "3400")])

    def figure(text, cell_name=""):
        return {"figure_id": f"t.txt:{at(text)}", "doc_id": "t.txt", "start": at(text), "end": at(text) + len(text),
                "text": text, "value": float(text.rstrip("件")), "unit": "", "unit_kind": "count", "approx": False,
                "qualifier": "", "metric": "penalty.total", "kind": "level", "subject": "", "year": 2023,
                "section": "", "sentence": "", "parent_id": "", "org": "", "page": None, "cell": cell_name,
                "extractor": "table"}

    figures = [figure("120", "table 1 r2c2"), figure("3400", "table 1 r3c2"), figure("3520件")]
    document = {"doc_id": "t.txt", "title": "", "status": "ok", "error": "", "agency": "", "report_year": 2023,
                "report_type": "", "publish_date": "", "format": "txt", "encoding": "utf-8"}
    html, placed = render_page(Job(document, figures, [], [], "t.html"), Display(original), [table], "")
    highlights = _Highlights()
    highlights.feed(html)
    assert placed == 3
    assert highlights.found == {f"t.txt:{at('120')}": "td", f"t.txt:{at('3400')}": "td", f"t.txt:{at('3520件')}": ""}
    (source_table,) = re.findall(r'<table class="source-table".*?</table>', html, re.DOTALL)
    assert source_table.count("<th>") == 2 and source_table.count("<td>") == 4 and source_table.count("<tr>") == 3
