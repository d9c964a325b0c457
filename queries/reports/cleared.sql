-- Warnings of the previous evaluation that no longer fire (解除) on an asset still held:
-- asset and rule, with the facts they had then and the asset's level now.  An asset that
-- left the month is counted as 减少资产 (shared/changes.sql, as 总览 counts it), not here.
-- rules: Y01–Y09, R01–R10
-- used by: dashboard/reports/content.py
SELECT coalesce(r.town, a.town, '未填写') AS town, a.village, p.asset_id, a.asset_name,
       a.original_value, p.rule_id, p.level AS rule_level, p.facts,
       coalesce(r.level, 'none') AS level_now
FROM prev_rule_hits p
LEFT JOIN rule_hits h ON h.asset_id = p.asset_id AND h.rule_id = p.rule_id
LEFT JOIN asset_results r ON r.asset_id = p.asset_id
JOIN assets a ON a.asset_id = p.asset_id
WHERE p.level IN ('red', 'yellow') AND h.rule_id IS NULL
  AND asset_row_in_filters($filters, a.row_id)
ORDER BY a.town COLLATE zh, a.village COLLATE zh, p.asset_id, p.rule_id
