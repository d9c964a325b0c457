-- 督办: every asset in scope warned red at $as_of, one row per red rule with its facts, with
-- its reporting authority (the banner department its 主管部门 names, by name or alias:
-- $department_spellings → $department_names, else its 所在镇, as monthly/asset_authority)
-- and its sign-off tier (七(四), by original value).
-- rules: R01–R10, T1–T4
-- used by: dashboard/supervision/red.py
SELECT r.asset_id, r.asset_name, r.town, r.village, r.original_value, r.signoff_tier,
       coalesce($department_names[list_position($department_spellings, trim(a.department))],
                r.town, '未填写') AS authority,
       h.rule_id, c.name AS rule_name, h.key_date, h.facts
FROM rule_hits h
JOIN asset_results r ON r.row_id = h.asset_row
JOIN assets a ON a.row_id = h.asset_row
JOIN rule_catalog c ON c.rule_id = h.rule_id
WHERE h.level = 'red'
  AND h.asset_row IN (SELECT row_id FROM scoped_assets($filters))
ORDER BY authority, r.asset_id, h.rule_id
