-- Every red and yellow rule fired on a warned asset, one row per asset and rule, with the
-- responsible unit (the linked problems' 责任单位, else the asset's 管护主体 / 产权单位)
-- and whether the rule is new since the previous evaluation (prev_rule_hits).
-- rules: Y01–Y09, R01–R10
-- used by: dashboard/reports/content.py
WITH units AS (
    SELECT asset_id, string_agg(DISTINCT responsible_unit, '、' ORDER BY responsible_unit) AS unit
    FROM problems
    WHERE nullif(trim(responsible_unit), '') IS NOT NULL AND coalesce(found_date <= $as_of, true)
    GROUP BY asset_id
)
SELECT r.row_id, coalesce(r.town, '未填写') AS town, r.village, r.asset_id, r.asset_name,
       r.category, r.original_value, r.level, r.rules, r.batch_suggested, r.batch_recorded,
       r.signoff_tier, h.rule_id, h.level AS rule_level, h.facts,
       coalesce(u.unit, nullif(trim(a.custodian), ''), nullif(trim(a.owner_unit), '')) AS responsible_unit,
       p.rule_id IS NULL AS is_new
FROM asset_results r
JOIN rule_hits h ON h.asset_id = r.asset_id AND h.level IN ('red', 'yellow')
JOIN assets a ON a.row_id = r.row_id
LEFT JOIN units u ON u.asset_id = r.asset_id
LEFT JOIN prev_rule_hits p ON p.asset_id = h.asset_id AND p.rule_id = h.rule_id
WHERE r.level IN ('red', 'yellow')
  AND r.row_id IN (SELECT row_id FROM filtered_assets($filters))
ORDER BY CASE r.level WHEN 'red' THEN 0 ELSE 1 END, r.town COLLATE zh, r.village COLLATE zh,
         r.asset_id, CASE h.level WHEN 'red' THEN 0 ELSE 1 END, h.rule_id
