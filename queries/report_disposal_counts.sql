-- Disposals per procedure path (path NULL = all): checked, with violations, per DP rule.
SELECT path, count(*) AS checked,
       count(*) FILTER (WHERE len(violations) > 0) AS violating,
       count(*) FILTER (WHERE list_contains(violations, 'DP1')) AS dp1,
       count(*) FILTER (WHERE list_contains(violations, 'DP2')) AS dp2,
       count(*) FILTER (WHERE list_contains(violations, 'DP3')) AS dp3,
       count(*) FILTER (WHERE list_contains(violations, 'DP4')) AS dp4,
       count(*) FILTER (WHERE list_contains(violations, 'DP5')) AS dp5,
       count(*) FILTER (WHERE list_contains(violations, 'DP6')) AS dp6,
       GROUPING(path) = 1 AS is_total
FROM disposal_checks
GROUP BY GROUPING SETS ((path), ())
ORDER BY is_total, path
