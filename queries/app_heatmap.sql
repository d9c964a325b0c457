-- 预警热力图: town × red/yellow rule — on how many filtered assets the rule fired and
-- the original value of those assets.
SELECT coalesce(f.town, '未填写') AS town, h.rule_id, h.level,
       count(*) AS assets, coalesce(sum(f.original_value), 0) AS value
FROM rule_hits h
JOIN app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches) f
  ON f.row_id = h.asset_row
WHERE h.level IN ('red', 'yellow')
GROUP BY ALL
ORDER BY town COLLATE zh, h.level, h.rule_id
