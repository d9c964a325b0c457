-- The problem ledger (问题台账 and 销号台账) in the sidebar filters: each problem found by
-- $as_of, its status at that date, deadline, overdue (整改时限 before $as_of and not
-- 已整改/已销号) and the sign-off tier its asset's original value requires (七(四)).
-- Status as of the date: 已销号 needs a 销号日期 on or before it; a later or missing
-- 销号日期 leaves the problem 已整改; anything else is still 整改中.  A problem not linked
-- to an asset shows only when no filter is set.  The 处置与销号 page lists overdue ones
-- first in each aspect; the reports' annexes ($annex_order) go by problem number.
WITH aspects AS (SELECT unnest($aspects) AS aspect, generate_subscripts($aspects, 1) AS aspect_order)
SELECT p.problem_id, p.aspect, coalesce(o.aspect_order, 9) AS aspect_order,
       p.asset_id, f.asset_name, coalesce(f.town, '未关联资产') AS town, f.village, f.original_value,
       p.description, p.measure, p.responsible_unit, p.found_date, p.deadline, p.plan_date,
       CASE WHEN p.status = '已销号' AND p.signoff_date <= $as_of THEN '已销号'
            WHEN p.status IN ('已整改', '已销号') THEN '已整改'
            ELSE '整改中' END AS status_as_of,
       CASE WHEN p.signoff_date <= $as_of THEN p.signoff_date END AS signoff_date,
       p.signoff_level, f.signoff_tier,
       coalesce(p.deadline < $as_of AND NOT (p.status IN ('已整改', '已销号')), false) AS overdue
FROM problems p
LEFT JOIN aspects o ON o.aspect = p.aspect
LEFT JOIN asset_results r ON r.asset_id = p.asset_id
LEFT JOIN app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches) f
  ON f.row_id = r.row_id
WHERE coalesce(p.found_date <= $as_of, true)
  AND CASE WHEN r.row_id IS NOT NULL THEN f.row_id IS NOT NULL
           ELSE app_unfiltered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches) END
ORDER BY aspect_order, p.aspect,
         CASE WHEN NOT $annex_order THEN overdue END DESC,
         CASE WHEN NOT $annex_order THEN p.deadline END, p.problem_id
