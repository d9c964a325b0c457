-- The problem ledger (问题台账 and 销号台账) in the sidebar filters (filtered_problems in filters/sidebar.sql):
-- each problem found by $as_of, its status at that date, deadline, overdue and the
-- sign-off tier its asset's original value requires (七(四)).  The 处置与销号 page lists
-- overdue ones first in each aspect; the reports' annexes ($annex_order) go by problem number.
-- rules: T1–T4, M3
-- used by: dashboard/reports/content.py, pages/disposal.py
-- formats: original_value=万元
WITH aspects AS (SELECT unnest($aspects) AS aspect, generate_subscripts($aspects, 1) AS aspect_order)
SELECT p.problem_id, p.aspect, coalesce(o.aspect_order, 9) AS aspect_order,
       p.asset_id, p.asset_name, coalesce(p.town, '未关联资产') AS town, p.village, p.original_value,
       p.description, p.measure, p.responsible_unit, p.found_date, p.deadline, p.plan_date,
       p.status_as_of, CASE WHEN p.signoff_date <= $as_of THEN p.signoff_date END AS signoff_date,
       p.signoff_level, p.signoff_tier, p.overdue
FROM filtered_problems($filters, $as_of) p
LEFT JOIN aspects o ON o.aspect = p.aspect
ORDER BY aspect_order, p.aspect,
         CASE WHEN NOT $annex_order THEN p.overdue END DESC,
         CASE WHEN NOT $annex_order THEN p.deadline END, p.problem_id
