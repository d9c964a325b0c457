-- Warned assets per town (town NULL = the whole banner), for the town table and ranking.
SELECT town, count(*) AS assets, coalesce(sum(original_value), 0) AS assets_value,
       count(*) FILTER (WHERE level = 'red') AS red,
       coalesce(sum(original_value) FILTER (WHERE level = 'red'), 0) AS red_value,
       count(*) FILTER (WHERE level = 'yellow') AS yellow,
       coalesce(sum(original_value) FILTER (WHERE level = 'yellow'), 0) AS yellow_value,
       count(*) FILTER (WHERE level <> 'none') / count(*) AS warned_share,
       GROUPING(town) = 1 AS is_total
FROM (SELECT coalesce(town, '未填写') AS town, original_value, level FROM asset_results)
GROUP BY GROUPING SETS ((town), ())
ORDER BY is_total, town COLLATE zh
