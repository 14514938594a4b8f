-- One row per agency, year and metric: the chosen figure and what its sources say
-- (columns as schemas/records.py PanelRecord).
WITH grouped AS (
    SELECT chosen_id, count(*) AS n_sources, bool_or(disagrees) AS conflict,
           coalesce(string_agg(DISTINCT number_text(value), '; ' ORDER BY number_text(value))
                    FILTER (WHERE disagrees), '') AS other_values,
           coalesce(string_agg(figure_id, '; ' ORDER BY doc_key, start) FILTER (WHERE disagrees), '')
               AS other_figure_ids
    FROM source
    GROUP BY chosen_id
)
SELECT d.agency, d.province, d.city, d.county, c.report_year, m.id AS metric, c.value, c.unit, c.kind,
       d.doc_id, c.figure_id, g.n_sources, g.conflict, g.other_values, g.other_figure_ids
FROM grouped g
JOIN ranked c ON c.figure_id = g.chosen_id AND c.rank = 1
JOIN doc d ON d.doc_key = c.doc_key
JOIN metrics m ON m.position = c.metric_position
ORDER BY d.agency, c.report_year, c.metric_position;
