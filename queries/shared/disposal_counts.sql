-- Disposals per procedure path (path NULL = all): checked, with any violation, and per
-- rule DP1–DP6, for the disposals in the sidebar filters (filtered_disposals in filters/sidebar.sql).
-- The 处置与销号 page and the reports (which bind no filter) both read it.
-- rules: DP1–DP6
-- used by: dashboard/reports/content.py, pages/disposal.py
SELECT path, count(*) AS checked,
       count(*) FILTER (WHERE len(violations) > 0) AS violating,
       count(*) FILTER (WHERE list_contains(violations, 'DP1')) AS dp1,
       count(*) FILTER (WHERE list_contains(violations, 'DP2')) AS dp2,
       count(*) FILTER (WHERE list_contains(violations, 'DP3')) AS dp3,
       count(*) FILTER (WHERE list_contains(violations, 'DP4')) AS dp4,
       count(*) FILTER (WHERE list_contains(violations, 'DP5')) AS dp5,
       count(*) FILTER (WHERE list_contains(violations, 'DP6')) AS dp6,
       GROUPING(path) = 1 AS is_total
FROM filtered_disposals($filters)
GROUP BY GROUPING SETS ((path), ())
ORDER BY is_total, path
