-- Town × warning rule: on how many assets each red or yellow rule fired (the heatmap).
SELECT coalesce(r.town, '未填写') AS town, h.rule_id, h.level, count(*) AS assets
FROM rule_hits h
JOIN asset_results r ON r.asset_id = h.asset_id
WHERE h.level IN ('red', 'yellow')
GROUP BY ALL
ORDER BY town COLLATE zh, h.level, h.rule_id
