/* zhfig review: figure details on hover or click, sorting, filtering, the
   entity underline, and searching all documents from the index. No network. */
(function () {
  "use strict";

  function text(value) { return value === null || value === undefined ? "" : String(value); }

  /* ---- sortable tables: click a header */
  function makeSortable(table) {
    if (!table || !table.tHead) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      th.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var numeric = th.dataset.sort === "number";
        Array.prototype.forEach.call(th.parentNode.cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].textContent, y = b.cells[column].textContent;
          var order = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "zh");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  /* ---- a document page */
  function documentPage() {
    var data = JSON.parse(document.getElementById("figure-data").textContent);
    var details = document.getElementById("details");
    var table = document.getElementById("figures");
    var marks = {}, rows = {};
    document.querySelectorAll("mark[data-figure-id]").forEach(function (mark) { marks[mark.dataset.figureId] = mark; });
    table.querySelectorAll("tr[data-row-of]").forEach(function (row) { rows[row.dataset.rowOf] = row; });
    var pinned = null;

    function show(id) {
      var figure = data[id];
      if (!figure) return;
      var mark = marks[id];
      details.className = "details " + (mark ? mark.className.replace(/\b(fig|selected|dimmed)\b/g, "") : "");
      details.replaceChildren();
      var list = document.createElement("dl");
      var entries = [
        ["value", text(figure.value) + " " + text(figure.unit) + (figure.approx ? " (approx: " + text(figure.qualifier) + ")" : "")],
        ["text", figure.text],
        ["metric", figure.metric ? figure.metric + " " + text(figure.metric_name) : "(none)"],
        ["subject", figure.subject], ["year", figure.year], ["kind", figure.kind],
        ["parent", figure.parent_id], ["org", figure.org], ["where", figure.where || "prose"],
        ["section", figure.section], ["extractor", figure.extractor], ["figure_id", figure.figure_id]
      ];
      (figure.issues || []).forEach(function (message) { entries.push(["warning", "⚠ " + message]); });
      entries.forEach(function (entry) {
        if (entry[1] === "" || entry[1] === null || entry[1] === undefined) return;
        var dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = entry[0];
        dd.textContent = text(entry[1]);
        dd.dataset.field = entry[0];
        if (entry[0] === "value") dd.className = "value";
        list.append(dt, dd);
      });
      details.appendChild(list);
      details.hidden = false;
    }

    function select(id, scrollText) {
      if (pinned && marks[pinned]) marks[pinned].classList.remove("selected");
      if (pinned && rows[pinned]) rows[pinned].classList.remove("selected");
      pinned = id;
      show(id);
      if (marks[id]) {
        marks[id].classList.add("selected");
        if (scrollText) marks[id].scrollIntoView({ block: "center" });
      }
      if (rows[id]) {
        rows[id].classList.add("selected");
        if (!scrollText) rows[id].scrollIntoView({ block: "nearest" });
      }
    }

    Object.keys(marks).forEach(function (id) {
      var mark = marks[id];
      mark.addEventListener("mouseenter", function () { show(id); });
      mark.addEventListener("mouseleave", function () { if (pinned) show(pinned); });
      mark.addEventListener("click", function () { select(id, false); });
      mark.addEventListener("keydown", function (event) { if (event.key === "Enter") select(id, false); });
    });
    Object.keys(rows).forEach(function (id) {
      rows[id].addEventListener("click", function () { select(id, true); });
    });

    var metricFilter = document.getElementById("metric-filter");
    var textFilter = document.getElementById("figure-filter");
    var count = document.getElementById("figure-count");
    function filter() {
      var metric = metricFilter.value, words = textFilter.value.trim().toLowerCase(), shown = 0;
      Object.keys(rows).forEach(function (id) {
        var row = rows[id];
        var visible = (!metric || row.dataset.metric === metric) &&
                      (!words || row.textContent.toLowerCase().indexOf(words) >= 0);
        row.hidden = !visible;
        shown += visible;
        if (marks[id]) marks[id].classList.toggle("dimmed", !visible);
      });
      count.textContent = shown + " shown";
    }
    metricFilter.addEventListener("change", filter);
    textFilter.addEventListener("input", filter);
    filter();

    var entities = document.getElementById("show-entities");
    if (entities) entities.addEventListener("change", function () {
      document.body.classList.toggle("show-entities", entities.checked);
    });
    makeSortable(table);
  }

  /* ---- the index */
  function indexPage() {
    var table = document.getElementById("documents");
    makeSortable(table);
    var pageFilter = document.getElementById("page-filter");
    pageFilter.addEventListener("input", function () {
      var words = pageFilter.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = words && row.textContent.toLowerCase().indexOf(words) < 0;
      });
    });

    var search = document.getElementById("search-all");
    var results = document.getElementById("search-results");
    var loading = false;
    function showMatches() {
      var words = search.value.trim().toLowerCase();
      var body = results.tBodies[0];
      body.replaceChildren();
      results.hidden = !words;
      if (!words || !window.ZHFIG_DOCUMENTS) return;
      var matches = window.ZHFIG_DOCUMENTS.filter(function (doc) {
        return [doc.doc_id, doc.title, doc.agency, doc.status, doc.report_year].join(" ").toLowerCase().indexOf(words) >= 0;
      });
      matches.slice(0, 200).forEach(function (doc) {
        var row = body.insertRow(), link = document.createElement("a");
        link.href = doc.href;
        link.textContent = doc.title || doc.doc_id;
        row.insertCell().appendChild(link);
        [doc.status, doc.agency, doc.report_year, doc.n_figures + " figures", doc.n_warnings + " issues"].forEach(function (value) {
          row.insertCell().textContent = text(value);
        });
      });
      results.caption.textContent = matches.length + " matches in all documents" + (matches.length > 200 ? " (first 200)" : "");
    }
    search.addEventListener("input", function () {
      if (window.ZHFIG_DOCUMENTS || loading) { showMatches(); return; }
      loading = true;  // the whole list is loaded on the first search only: the index opens at once
      var script = document.createElement("script");
      script.src = "assets/documents.js";
      script.onload = showMatches;
      document.head.appendChild(script);
    });
  }

  if (document.getElementById("figure-data")) documentPage();
  else if (document.getElementById("documents")) indexPage();
})();
