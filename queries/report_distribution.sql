-- Distribution compliance D1–D6 per town (town NULL = the banner): 收益分配 rows of years up
-- to the report's, the money, and how many rows fail each check.
SELECT coalesce(town, '未填写') AS town, count(*) AS rows, coalesce(sum(amount), 0) AS amount,
       count(*) FILTER (WHERE len(failed) > 0) AS failed_rows,
       coalesce(sum(amount) FILTER (WHERE len(failed) > 0), 0) AS failed_amount,
       count(*) FILTER (WHERE list_contains(failed, 'D1')) AS d1,
       count(*) FILTER (WHERE list_contains(failed, 'D2')) AS d2,
       count(*) FILTER (WHERE list_contains(failed, 'D3')) AS d3,
       count(*) FILTER (WHERE list_contains(failed, 'D4')) AS d4,
       count(*) FILTER (WHERE list_contains(failed, 'D5')) AS d5,
       count(*) FILTER (WHERE list_contains(failed, 'D6')) AS d6,
       GROUPING(coalesce(town, '未填写')) = 1 AS is_total
FROM distribution_checks
WHERE coalesce(year <= year($as_of), true)
GROUP BY GROUPING SETS ((coalesce(town, '未填写')), ())
ORDER BY is_total, town COLLATE zh
