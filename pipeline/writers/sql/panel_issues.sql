-- A warning for every source that disagrees with its panel number, naming both
-- figures (columns as schemas/records.py IssueRecord).
SELECT d.doc_id, 'warning' AS severity, 'panel' AS stage,
       format('panel: {} {} {}: {}{} here, but {}{} is chosen from {} ({})',
              d.agency, s.report_year, m.id, number_text(s.value), s.unit, number_text(s.chosen_value), s.unit,
              s.chosen_id, s.reason) AS message,
       s.figure_id
FROM source s
JOIN metrics m ON m.position = s.metric_position
JOIN doc d ON d.doc_key = s.doc_key
WHERE s.disagrees
ORDER BY d.agency, s.report_year, s.metric_position, s.doc_key, s.start;
