-- One row per agency, year and metric: the chosen figure and what its sources say
-- (columns as schemas/records.py PanelRecord).
SELECT c.agency, c.province, c.city, c.county, c.report_year, c.metric, c.value, c.unit, c.kind,
       c.doc_id, c.figure_id,
       count(*) AS n_sources,
       bool_or(s.disagrees) AS conflict,
       coalesce(string_agg(DISTINCT s.value_text, '; ' ORDER BY s.value_text) FILTER (WHERE s.disagrees), '') AS other_values,
       coalesce(string_agg(s.figure_id, '; ' ORDER BY s.doc_id, s.start) FILTER (WHERE s.disagrees), '') AS other_figure_ids
FROM ranked c
JOIN source s ON s.chosen_id = c.figure_id
WHERE c.rank = 1
GROUP BY ALL
ORDER BY c.agency, c.report_year, any_value(c.metric_position);
