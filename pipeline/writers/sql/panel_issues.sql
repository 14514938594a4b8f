-- A warning for every source that disagrees with its panel number, naming both
-- figures (columns as schemas/records.py IssueRecord).
SELECT doc_id, 'warning' AS severity, 'panel' AS stage,
       format('panel: {} {} {}: {}{} here, but {}{} is chosen from {} ({})',
              agency, report_year, metric, value_text, unit, chosen_text, unit, chosen_id, reason) AS message,
       figure_id
FROM source
WHERE disagrees
ORDER BY agency, report_year, metric_position, doc_id, start;
