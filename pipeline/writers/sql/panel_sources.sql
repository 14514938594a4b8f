-- Every figure that states a panel number, ranked within its agency, year and
-- metric by the panel's rules (README, "The panel"); rank 1 is the chosen one.
-- Inputs: the views documents, figures (the run's tables) and metrics (the catalog).
CREATE TEMP TABLE ranked AS
WITH candidate AS (
SELECT d.agency, d.province, d.city, d.county,
       coalesce(f.year, d.report_year) AS report_year,
       f.metric, m.position AS metric_position, f.value, f.unit, f.kind, f.approx, f.figure_id, f.doc_id, f.start,
       -- rule 1: a figure about the report's own year over one a later report looks back on
       coalesce(f.year <> d.report_year, false) AS look_back,
       -- rule 2: a table cell over prose
       f.cell = '' AS prose,
       -- rule 3: a later publication over an earlier one (an undated one last)
       nullif(d.publish_date, '') AS published
FROM figures f
JOIN documents d USING (doc_id)
JOIN metrics m ON m.id = f.metric
WHERE d.status = 'ok' AND d.agency <> ''
  AND f.org = ''                               -- a sub-unit's figure is not the agency's number
  AND f.kind NOT IN ('change', 'average')      -- a difference or a mean is not the number itself
  AND f.unit_kind = m.kind                     -- a count metric takes counts, a percent metric percentages
  AND coalesce(f.year, d.report_year) IS NOT NULL
)
SELECT *, row_number() OVER (
           PARTITION BY agency, report_year, metric
           ORDER BY look_back, prose, published DESC NULLS LAST, doc_id, start) AS rank,
       CASE WHEN value = round(value) AND abs(value) < 1e18 THEN CAST(CAST(value AS HUGEINT) AS VARCHAR)
            ELSE CAST(value AS VARCHAR) END AS value_text
FROM candidate;

-- the sources of each chosen number: the figures in its group with the same unit
CREATE TEMP VIEW source AS
SELECT r.*, c.figure_id AS chosen_id, c.value_text AS chosen_text,
       -- two values agree when equal, or within 10% when either is approximate (2700余 and 2712)
       abs(r.value - c.value) > greatest(abs(r.value), abs(c.value))
                                * CASE WHEN r.approx OR c.approx THEN 0.1 ELSE 1e-9 END AS disagrees,
       CASE WHEN r.look_back <> c.look_back THEN 'it is about the report''s own year'
            WHEN r.prose <> c.prose THEN 'a table cell over prose'
            WHEN r.published IS DISTINCT FROM c.published THEN 'it was published later'
            WHEN r.doc_id <> c.doc_id THEN 'the same date: the first document in the run'
            ELSE 'it is stated first' END AS reason
FROM ranked r
JOIN ranked c ON c.rank = 1 AND c.agency = r.agency AND c.report_year = r.report_year AND c.metric = r.metric
WHERE r.unit = c.unit;
