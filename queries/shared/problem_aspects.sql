-- Problems in the sidebar filters (filtered_problems in filters/sidebar.sql) per aspect of verification
-- ($aspects, the five 方面 in order; aspect NULL = all): found by $as_of, status then,
-- overdue ones, and those with a one-case-one-plan by then.  The system-found problems
-- (filtered_findings: a management check MG1–MG6 firing, 项目资产管理运维, 整改中) count too,
-- except those shown with a 问题台账 problem of the same asset and aspect (as
-- shared/problem_register lists them).  The 处置与销号 page and the reports (which bind no filter) both read it.
-- rules: M3 (problems found and rectified), MG1–MG6
-- used by: dashboard/reports/content.py, pages/disposal.py
WITH aspects AS (SELECT unnest($aspects) AS aspect, generate_subscripts($aspects, 1) AS aspect_order),
problems_found AS (
    SELECT aspect, status_as_of, overdue, plan_date FROM filtered_problems($filters, $as_of)
    UNION ALL
    SELECT '项目资产管理运维', '整改中', false, NULL FROM filtered_findings($filters, $as_of) WHERE NOT typed
)
SELECT o.aspect, count(f.aspect) AS problems,
       count(*) FILTER (WHERE f.status_as_of = '整改中') AS rectifying,
       count(*) FILTER (WHERE f.status_as_of = '已整改') AS rectified,
       count(*) FILTER (WHERE f.status_as_of = '已销号') AS signed_off,
       count(*) FILTER (WHERE f.overdue) AS overdue_problems,
       count(*) FILTER (WHERE f.plan_date <= $as_of) AS planned,
       GROUPING(o.aspect) = 1 AS is_total
FROM aspects o
LEFT JOIN problems_found f
  ON f.aspect = o.aspect
GROUP BY GROUPING SETS ((o.aspect), ())
ORDER BY is_total, min(o.aspect_order)
