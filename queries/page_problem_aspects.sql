-- 处置与销号: the filtered problems (see problem_register.sql) per aspect of verification
-- ($aspects, the five 方面 in order; aspect NULL = all): status at $as_of and overdue ones.
WITH aspects AS (SELECT unnest($aspects) AS aspect, generate_subscripts($aspects, 1) AS aspect_order),
found AS (
    SELECT p.aspect,
           CASE WHEN p.status = '已销号' AND p.signoff_date <= $as_of THEN '已销号'
                WHEN p.status IN ('已整改', '已销号') THEN '已整改'
                ELSE '整改中' END AS status_as_of,
           coalesce(p.deadline < $as_of AND NOT (p.status IN ('已整改', '已销号')), false) AS overdue
    FROM problems p
    LEFT JOIN asset_results r ON r.asset_id = p.asset_id
    LEFT JOIN app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches) f
      ON f.row_id = r.row_id
    WHERE coalesce(p.found_date <= $as_of, true)
      AND CASE WHEN r.row_id IS NOT NULL THEN f.row_id IS NOT NULL
               ELSE app_unfiltered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches) END
)
SELECT o.aspect, count(f.aspect) AS problems,
       count(*) FILTER (WHERE f.status_as_of = '整改中') AS rectifying,
       count(*) FILTER (WHERE f.status_as_of = '已整改') AS rectified,
       count(*) FILTER (WHERE f.status_as_of = '已销号') AS signed_off,
       count(*) FILTER (WHERE f.overdue) AS overdue_problems,
       GROUPING(o.aspect) = 1 AS is_total
FROM aspects o
LEFT JOIN found f ON f.aspect = o.aspect
GROUP BY GROUPING SETS ((o.aspect), ())
ORDER BY is_total, min(o.aspect_order)
