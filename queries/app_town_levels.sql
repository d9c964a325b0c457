-- 预警热力图 over time: red- and yellow-warned filtered assets per town, run on each
-- snapshot's own evaluation.
SELECT coalesce(town, '未填写') AS town,
       count(*) FILTER (WHERE level = 'red') AS red,
       count(*) FILTER (WHERE level = 'yellow') AS yellow,
       count(*) FILTER (WHERE level <> 'none') AS warned,
       count(*) AS assets
FROM app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches)
GROUP BY 1
ORDER BY town COLLATE zh
