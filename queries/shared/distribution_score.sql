-- The distribution scorecard per town (and per village when $by_village), with the
-- total (is_total), over the 收益分配 rows in the sidebar filters (filtered_distribution in filters/sidebar.sql):
-- rows and money, rows passing every evaluated check, rows failing any and their money,
-- and the failures per check.  The 收益与分配 page and the reports (no filter) read it.
-- rules: D1–D6
-- used by: dashboard/reports/content.py, pages/income.py
-- formats: amount=万元, failed_amount=万元
WITH picked AS (
    SELECT coalesce(town, '未填写') AS town,
           CASE WHEN $by_village THEN coalesce(village, '未填写') END AS village, amount, failed
    FROM filtered_distribution($filters, $as_of)
),
counted AS (   -- each town (or village), and the total (is_total) even of no row at all
    SELECT town, village, count(*) AS rows, coalesce(sum(amount), 0) AS amount,
           count(*) FILTER (WHERE len(failed) = 0) AS passed_rows,
           count(*) FILTER (WHERE len(failed) > 0) AS failed_rows,
           coalesce(sum(amount) FILTER (WHERE len(failed) > 0), 0) AS failed_amount,
           GROUPING(town) = 1 AS is_total
    FROM picked GROUP BY GROUPING SETS ((town, village), ())
),
per_rule AS (  -- rows failing each check, per town (or village) and in total (one column per check)
    PIVOT (SELECT CASE WHEN NOT t.is_total THEN p.town END AS town,
                  CASE WHEN NOT t.is_total THEN p.village END AS village, t.is_total,
                  unnest(list_distinct(p.failed)) AS rule_id
           FROM picked p CROSS JOIN (VALUES (false), (true)) t(is_total))
    ON rule_id IN ('D1', 'D2', 'D3', 'D4', 'D5', 'D6') USING count(*) GROUP BY town, village, is_total
)
SELECT c.* EXCLUDE (is_total), coalesce(COLUMNS(p.* EXCLUDE (town, village, is_total)), 0), c.is_total
FROM counted c
LEFT JOIN per_rule p ON p.is_total = c.is_total AND p.town IS NOT DISTINCT FROM c.town
                    AND p.village IS NOT DISTINCT FROM c.village
ORDER BY c.is_total, c.town COLLATE zh, c.village COLLATE zh
