-- 收益与分配: the collection scorecard per town (and per village when $by_village) over the
-- filtered operating assets: assets, their value, assets passing every check that applies,
-- assets failing any and their value, and the failures per check C1–C6.
-- rules: C1–C6
-- used by: pages/income.py
-- formats: value=万元, failed_value=万元
SELECT coalesce(c.town, '未填写') AS town,
       CASE WHEN $by_village THEN coalesce(c.village, '未填写') END AS village,
       count(*) AS assets, coalesce(sum(c.original_value), 0) AS value,
       count(*) FILTER (WHERE NOT coalesce(false IN (c.C1, c.C2, c.C3, c.C4, c.C5, c.C6), false)) AS passed_assets,
       count(*) FILTER (WHERE false IN (c.C1, c.C2, c.C3, c.C4, c.C5, c.C6)) AS failed_assets,
       coalesce(sum(c.original_value) FILTER (WHERE false IN (c.C1, c.C2, c.C3, c.C4, c.C5, c.C6)), 0)
           AS failed_value,
       count(*) FILTER (WHERE NOT c.C1) AS c1, count(*) FILTER (WHERE NOT c.C2) AS c2,
       count(*) FILTER (WHERE NOT c.C3) AS c3, count(*) FILTER (WHERE NOT c.C4) AS c4,
       count(*) FILTER (WHERE NOT c.C5) AS c5, count(*) FILTER (WHERE NOT c.C6) AS c6
FROM collection_checks c
JOIN filtered_assets($filters) f
  ON f.asset_id = c.asset_id
GROUP BY ALL
ORDER BY town COLLATE zh, village COLLATE zh
