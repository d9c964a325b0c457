-- Town × red/yellow warning rule over the filtered assets: on how many assets the rule
-- fired and the original value of those assets (the 预警热力图 page and the reports'
-- 预警分布, which binds no filter).
-- rules: Y01–Y09, R01–R10
-- used by: pages/heatmap.py, dashboard/reports/content.py
-- formats: value=万元
SELECT coalesce(f.town, '未填写') AS town, h.rule_id, h.level,
       count(*) AS assets, coalesce(sum(f.original_value), 0) AS value
FROM rule_hits h
JOIN filtered_assets($filters) f ON f.row_id = h.asset_row
WHERE h.level IN ('red', 'yellow')
GROUP BY ALL
ORDER BY town COLLATE zh, h.level, h.rule_id
