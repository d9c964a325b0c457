-- 收益与分配: the distribution scorecard per town (and per village when $by_village) over
-- the filtered 收益分配 rows (app_filtered_distribution): rows and money, rows passing
-- every evaluated check, rows failing any and their money, and the failures per check.
WITH dist AS (
    SELECT * FROM app_filtered_distribution($towns, $villages, $categories, $types, $funds,
                                            $year_from, $year_to, $levels, $batches, $as_of)
)
SELECT coalesce(town, '未填写') AS town,
       CASE WHEN $by_village THEN coalesce(village, '未填写') END AS village,
       count(*) AS rows, coalesce(sum(amount), 0) AS amount,
       count(*) FILTER (WHERE len(failed) = 0) AS passed_rows,
       count(*) FILTER (WHERE len(failed) > 0) AS failed_rows,
       coalesce(sum(amount) FILTER (WHERE len(failed) > 0), 0) AS failed_amount,
       count(*) FILTER (WHERE list_contains(failed, 'D1')) AS d1,
       count(*) FILTER (WHERE list_contains(failed, 'D2')) AS d2,
       count(*) FILTER (WHERE list_contains(failed, 'D3')) AS d3,
       count(*) FILTER (WHERE list_contains(failed, 'D4')) AS d4,
       count(*) FILTER (WHERE list_contains(failed, 'D5')) AS d5,
       count(*) FILTER (WHERE list_contains(failed, 'D6')) AS d6
FROM dist
GROUP BY ALL
ORDER BY town COLLATE zh, village COLLATE zh
