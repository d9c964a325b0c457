-- 收益与分配: the collection scorecard per town (and per village when $by_village) over the
-- filtered operating assets: assets, their value, assets passing every check that applies,
-- assets failing any and their value, and the failures per check C1–C6.
SELECT coalesce(c.town, '未填写') AS town,
       CASE WHEN $by_village THEN coalesce(c.village, '未填写') END AS village,
       count(*) AS assets, coalesce(sum(c.original_value), 0) AS value,
       count(*) FILTER (WHERE NOT coalesce(false IN (c.c1, c.c2, c.c3, c.c4, c.c5, c.c6), false)) AS passed_assets,
       count(*) FILTER (WHERE false IN (c.c1, c.c2, c.c3, c.c4, c.c5, c.c6)) AS failed_assets,
       coalesce(sum(c.original_value) FILTER (WHERE false IN (c.c1, c.c2, c.c3, c.c4, c.c5, c.c6)), 0)
           AS failed_value,
       count(*) FILTER (WHERE NOT c.c1) AS c1, count(*) FILTER (WHERE NOT c.c2) AS c2,
       count(*) FILTER (WHERE NOT c.c3) AS c3, count(*) FILTER (WHERE NOT c.c4) AS c4,
       count(*) FILTER (WHERE NOT c.c5) AS c5, count(*) FILTER (WHERE NOT c.c6) AS c6
FROM collection_checks c
JOIN app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches) f
  ON f.asset_id = c.asset_id
GROUP BY ALL
ORDER BY town COLLATE zh, village COLLATE zh
