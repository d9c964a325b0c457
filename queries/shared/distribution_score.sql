-- The distribution scorecard per town (and per village when $by_village), with the
-- total (is_total), over the 收益分配 rows in the sidebar filters (filtered_distribution in filters/sidebar.sql):
-- rows and money, rows passing every evaluated check, rows failing any and their money,
-- and the failures per check.  The 收益与分配 page and the reports (no filter) read it.
-- rules: D1–D6
-- used by: dashboard/reports/content.py, pages/income.py
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
       count(*) FILTER (WHERE list_contains(failed, 'D6')) AS d6,
       GROUPING(coalesce(town, '未填写')) = 1 AS is_total
FROM filtered_distribution($filters, $as_of)
GROUP BY GROUPING SETS ((coalesce(town, '未填写'), CASE WHEN $by_village THEN coalesce(village, '未填写') END), ())
ORDER BY is_total, town COLLATE zh, village COLLATE zh
