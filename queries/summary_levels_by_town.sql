-- Warning levels per town (summary.json, overview cards, town ranking).
SELECT coalesce(town, '未填写') AS town, level, count(*) AS assets,
       sum(original_value) AS original_value
FROM asset_results
GROUP BY ALL
ORDER BY town COLLATE zh, level
