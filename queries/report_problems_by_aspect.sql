-- Problems per aspect of verification (五个方面, aspect NULL = all): found by the report's
-- date, status then, overdue ones, and those with a one-case-one-plan.
WITH aspects(aspect, aspect_order) AS (VALUES
    ('建章立制', 1), ('项目实施程序', 2), ('项目资产管理运维', 3), ('项目效益', 4), ('项目收益分配', 5)
),
found AS (
    SELECT aspect,
           CASE WHEN status = '已销号' AND signoff_date <= $as_of THEN '已销号'
                WHEN status IN ('已整改', '已销号') THEN '已整改'
                ELSE '整改中' END AS status_as_of,
           deadline < $as_of AND NOT (status IN ('已整改', '已销号')) AS overdue,
           plan_date <= $as_of AS planned
    FROM problems
    WHERE coalesce(found_date <= $as_of, true)
)
SELECT o.aspect, count(f.aspect) AS problems,
       count(*) FILTER (WHERE f.status_as_of = '整改中') AS rectifying,
       count(*) FILTER (WHERE f.status_as_of = '已整改') AS rectified,
       count(*) FILTER (WHERE f.status_as_of = '已销号') AS signed_off,
       count(*) FILTER (WHERE f.overdue) AS overdue,
       count(*) FILTER (WHERE f.planned) AS planned,
       GROUPING(o.aspect) = 1 AS is_total
FROM aspects o
LEFT JOIN found f ON f.aspect = o.aspect
GROUP BY GROUPING SETS ((o.aspect), ())
ORDER BY is_total, min(o.aspect_order)
