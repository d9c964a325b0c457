-- Disposals per procedure path (path NULL = all): checked, with any violation, and per
-- rule DP1–DP6, for the disposals in the sidebar filters (filtered_disposals in filters/sidebar.sql).
-- The 处置与销号 page and the reports (which bind no filter) both read it.
-- rules: DP1–DP6
-- used by: dashboard/reports/content.py, pages/disposal.py
WITH picked AS (SELECT path, violations FROM filtered_disposals($filters)),
counted AS (   -- each path, and the total (is_total, path NULL) even of no disposal at all
    SELECT path, count(*) AS checked, count(*) FILTER (WHERE len(violations) > 0) AS violating,
           GROUPING(path) = 1 AS is_total
    FROM picked GROUP BY GROUPING SETS ((path), ())
),
per_rule AS (  -- disposals violating each rule, per path and in total (one column per rule)
    PIVOT (SELECT CASE WHEN NOT t.is_total THEN p.path END AS path, t.is_total,
                  unnest(list_distinct(p.violations)) AS rule_id
           FROM picked p CROSS JOIN (VALUES (false), (true)) t(is_total))
    ON rule_id IN ('DP1', 'DP2', 'DP3', 'DP4', 'DP5', 'DP6') USING count(*) GROUP BY path, is_total
)
SELECT c.path, c.checked, c.violating, coalesce(COLUMNS(p.* EXCLUDE (path, is_total)), 0), c.is_total
FROM counted c
LEFT JOIN per_rule p ON p.is_total = c.is_total AND p.path IS NOT DISTINCT FROM c.path
ORDER BY c.is_total, c.path
