-- 总览: towns ranked by red-warned assets, then the money in them (1 = most), with
-- yellow, idle and low-efficiency counts and the share of assets warned.
WITH towns AS (
    SELECT coalesce(town, '未填写') AS town, count(*) AS assets,
           coalesce(sum(original_value), 0) AS value,
           count(*) FILTER (WHERE level = 'red') AS red,
           coalesce(sum(original_value) FILTER (WHERE level = 'red'), 0) AS red_value,
           count(*) FILTER (WHERE level = 'yellow') AS yellow,
           coalesce(sum(original_value) FILTER (WHERE level = 'yellow'), 0) AS yellow_value,
           count(*) FILTER (WHERE list_contains(flags, 'IDLE')) AS idle,
           count(*) FILTER (WHERE list_has_any(flags, ['LE1', 'LE2', 'LE3', 'LE4'])) AS low,
           count(*) FILTER (WHERE level <> 'none') / count(*) AS warned_share
    FROM app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches)
    GROUP BY 1
)
SELECT rank() OVER (ORDER BY red DESC, red_value DESC) AS rank, *
FROM towns
ORDER BY rank, town COLLATE zh
