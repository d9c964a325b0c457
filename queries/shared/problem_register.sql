-- The problem ledger (问题台账 and 销号台账) in the sidebar filters (filtered_problems in filters/sidebar.sql):
-- each problem found by $as_of, its status at that date, deadline, overdue and the
-- sign-off tier its asset's original value requires (七(四)).  Beside them the system-found
-- problems (filtered_findings: each management check MG1–MG6 firing at $as_of, aspect
-- 项目资产管理运维, source 系统核查, 整改中 while it fires, problem_id XT-<check>-<资产编号>);
-- a finding on an asset whose 问题台账 already has a 项目资产管理运维 problem is shown with that
-- problem (problem_source 问题台账、系统核查, its checks and their facts), not as another.
-- The 处置与销号 page lists overdue ones first in each aspect; the reports' annexes ($annex_order) go by problem number.
-- rules: T1–T4, M3, MG1–MG6
-- used by: dashboard/reports/content.py, pages/disposal.py
-- formats: original_value=万元
WITH aspects AS (SELECT unnest($aspects) AS aspect, generate_subscripts($aspects, 1) AS aspect_order),
findings AS (SELECT * FROM filtered_findings($filters, $as_of)),
typed_checks AS (
    SELECT asset_id, list(rule_id ORDER BY rule_id) AS checks, list(facts ORDER BY rule_id) AS check_facts
    FROM findings WHERE typed GROUP BY asset_id
),
register AS (
    SELECT p.problem_id, p.aspect, p.asset_id, p.asset_name, coalesce(p.town, '未关联资产') AS town, p.village,
           p.original_value, p.description, p.measure, p.responsible_unit, p.found_date, p.deadline, p.plan_date,
           p.status_as_of, CASE WHEN p.signoff_date <= $as_of THEN p.signoff_date END AS signoff_date,
           p.signoff_level, p.signoff_tier, p.overdue,
           CASE WHEN t.checks IS NULL THEN '问题台账' ELSE '问题台账、系统核查' END AS problem_source,
           t.checks, t.check_facts
    FROM filtered_problems($filters, $as_of) p
    LEFT JOIN typed_checks t ON t.asset_id = p.asset_id AND p.aspect = '项目资产管理运维'
    UNION ALL
    SELECT 'XT-' || f.rule_id || '-' || f.asset_id, '项目资产管理运维', f.asset_id, f.asset_name,
           coalesce(f.town, '未关联资产'), f.village, f.original_value, c.name, NULL, NULL, CAST($as_of AS DATE),
           NULL, NULL, '整改中', NULL, NULL, f.signoff_tier, false, '系统核查', [f.rule_id], [f.facts]
    FROM findings f
    JOIN rule_catalog c USING (rule_id)
    WHERE NOT f.typed
)
SELECT r.problem_id, r.aspect, coalesce(o.aspect_order, 9) AS aspect_order,
       r.asset_id, r.asset_name, r.town, r.village, r.original_value,
       r.description, r.measure, r.responsible_unit, r.found_date, r.deadline, r.plan_date,
       r.status_as_of, r.signoff_date, r.signoff_level, r.signoff_tier, r.overdue,
       r.problem_source, r.checks, r.check_facts
FROM register r
LEFT JOIN aspects o ON o.aspect = r.aspect
ORDER BY aspect_order, r.aspect,
         CASE WHEN NOT $annex_order THEN r.overdue END DESC,
         CASE WHEN NOT $annex_order THEN r.deadline END, r.problem_id
