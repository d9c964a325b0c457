-- New red and yellow warnings per town since the previous evaluation (prev_rule_hits,
-- registered by the report): the 季通报's town ranking shows them beside shared/town_levels.
-- rules: Y01–Y09, R01–R10
-- used by: dashboard/reports/content.py
SELECT coalesce(r.town, '未填写') AS town, count(*) AS new_warnings
FROM rule_hits h
JOIN asset_results r ON r.row_id = h.asset_row
LEFT JOIN prev_rule_hits p ON p.asset_id = h.asset_id AND p.rule_id = h.rule_id
WHERE h.level IN ('red', 'yellow') AND p.rule_id IS NULL
  AND r.row_id IN (SELECT row_id FROM filtered_assets($filters))
GROUP BY 1
