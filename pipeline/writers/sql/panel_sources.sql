-- Every figure that states a panel number, ranked within its agency, year and
-- metric by the panel's rules (README, "The panel"); rank 1 is the chosen one.
-- Inputs: the views documents, figures (the run's tables) and metrics (the catalog).
-- Documents and agencies travel as integer keys (names come back at the end), and
-- nothing joins the whole figures table twice: at 10,000 reports that keeps memory down.
CREATE TEMP TABLE doc AS
SELECT row_number() OVER () AS doc_key, doc_id, agency, province, city, county, report_year,
       dense_rank() OVER (ORDER BY agency) AS agency_key,
       nullif(publish_date, '') AS published
FROM documents
WHERE status = 'ok' AND agency <> '';

CREATE TEMP TABLE ranked AS
WITH candidate AS (
SELECT d.agency_key, d.doc_key, f.start, f.figure_id,
       coalesce(f.year, d.report_year) AS report_year,
       m.position AS metric_position, f.value, f.unit, f.kind, f.approx,
       -- rule 1: a figure about the report's own year over one a later report looks back on
       coalesce(f.year <> d.report_year, false) AS look_back,
       -- rule 2: a table cell over prose
       f.cell = '' AS prose,
       -- rule 3: a later publication over an earlier one (an undated one last)
       d.published
FROM figures f
JOIN doc d USING (doc_id)
JOIN metrics m ON m.id = f.metric
WHERE f.org = ''                               -- a sub-unit's figure is not the agency's number
  AND f.kind NOT IN ('change', 'average')      -- a difference or a mean is not the number itself
  AND f.unit_kind = m.kind                     -- a count metric takes counts, a percent metric percentages
  AND coalesce(f.year, d.report_year) IS NOT NULL
)
SELECT *, row_number() OVER (
           PARTITION BY agency_key, report_year, metric_position
           -- then the first document of the run, and in it the first stated
           ORDER BY look_back, prose, published DESC NULLS LAST, doc_key, start) AS rank
FROM candidate;

-- the sources of each chosen number: the figures in its group with the same unit
CREATE TEMP VIEW source AS
SELECT r.*, c.figure_id AS chosen_id, c.value AS chosen_value,
       -- two values agree when equal, or within 10% when either is approximate (2700余 and 2712)
       abs(r.value - c.value) > greatest(abs(r.value), abs(c.value))
                                * CASE WHEN r.approx OR c.approx THEN 0.1 ELSE 1e-9 END AS disagrees,
       CASE WHEN r.look_back <> c.look_back THEN 'it is about the report''s own year'
            WHEN r.prose <> c.prose THEN 'a table cell over prose'
            WHEN r.published IS DISTINCT FROM c.published THEN 'it was published later'
            WHEN r.doc_key <> c.doc_key THEN 'the same date: the first document in the run'
            ELSE 'it is stated first' END AS reason
FROM ranked r
JOIN ranked c ON c.rank = 1 AND c.agency_key = r.agency_key AND c.report_year = r.report_year
             AND c.metric_position = r.metric_position
WHERE r.unit = c.unit;

-- a value as written: 120, not 120.0
CREATE TEMP MACRO number_text(value) AS
    CASE WHEN value = round(value) AND abs(value) < 1e18 THEN CAST(CAST(value AS HUGEINT) AS VARCHAR)
         ELSE CAST(value AS VARCHAR) END;
