-- System-found problems rectified since the month compared with: a management check MG1–MG6
-- that fired on an asset then (prev_checks, shared/previous_checks of that evaluation) and no
-- longer fires at $as_of — 已整改 on this month, in the register's columns (problem_id
-- XT-<check>-<资产编号>, aspect 项目资产管理运维, found_date = the date it was last seen firing).
-- An asset in this ledger follows the sidebar filters; one gone from it (the older month's
-- scope already applied) shows only when no filter other than town and village is set.
-- An asset whose 问题台账 has a 项目资产管理运维 problem is left out: that problem, with its own
-- status, is where the finding was shown (not duplicated).
-- rules: MG1–MG6
-- used by: pages/disposal.py
-- formats: original_value=万元
SELECT 'XT-' || p.rule_id || '-' || p.asset_id AS problem_id, '项目资产管理运维' AS aspect,
       p.asset_id, x.asset_name, coalesce(x.town, '未关联资产') AS town, x.village, x.original_value,
       c.name AS description, p.checked_date AS found_date, '已整改' AS status_as_of, x.signoff_tier,
       '系统核查' AS problem_source, [p.rule_id] AS checks, [p.facts] AS check_facts
FROM prev_checks p
JOIN rule_catalog c ON c.rule_id = p.rule_id
LEFT JOIN assets a ON a.asset_id = p.asset_id
LEFT JOIN filtered_assets($filters) x ON x.row_id = a.row_id
WHERE NOT EXISTS (SELECT 1 FROM management_checks m WHERE m.asset_id = p.asset_id AND m.rule_id = p.rule_id)
  AND p.asset_id NOT IN (SELECT asset_id FROM problems WHERE aspect = '项目资产管理运维'
                         AND asset_id IS NOT NULL AND coalesce(found_date <= $as_of, true))
  AND CASE WHEN a.row_id IS NOT NULL THEN x.row_id IS NOT NULL ELSE only_place_filtered($filters) END
ORDER BY p.asset_id, p.rule_id
