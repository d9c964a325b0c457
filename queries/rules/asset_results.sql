-- One row per asset: warning level, rules and flags fired, the suggested and the
-- recorded "four batches" (六、四个一批) and the sign-off tier (七(四)).
-- A view over the sparse asset_levels, so evaluating never rewrites every asset.
-- rules: T1–T4 (sign-off tier), the four batches
-- used by: dashboard/rules.py
SELECT a.row_id, a.asset_id, a.asset_name, a.town, a.village, a.category, a.asset_type,
       a.original_value,
       coalesce(l.level, 'none') AS level,
       coalesce(l.rules, []) AS rules,
       coalesce(l.flags, []) AS flags,
       CASE WHEN nullif(trim(a.disposal_circumstance), '') IS NOT NULL THEN '另起炉灶'
            -- 停运 counts from its 停运日期: stopped after as_of, it was still running then (§9)
            WHEN (a.operating_status = '停运' AND NOT coalesce(a.stop_date > p.as_of, false))
                 OR coalesce(l.needs_revival, false) THEN '盘活'
            WHEN l.level IN ('red', 'yellow') THEN '提升'
            ELSE '巩固' END AS batch_suggested,
       a.batch_recorded,
       CASE WHEN a.original_value <= p.tier_t1_max THEN 'T1'
            WHEN a.original_value <= p.tier_t2_max THEN 'T2'
            WHEN a.original_value <= p.tier_t3_max THEN 'T3'
            ELSE 'T4' END AS signoff_tier
FROM assets a
CROSS JOIN eval_params p
LEFT JOIN asset_levels l ON l.row_id = a.row_id
