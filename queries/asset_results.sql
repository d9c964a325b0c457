-- One row per asset: warning level, rules and flags fired, the suggested and the
-- recorded "four batches" (六、四个一批) and the sign-off tier (七(四)).
WITH fired AS (
    SELECT asset_id,
           list_sort(list(rule_id) FILTER (WHERE level IN ('red', 'yellow'))) AS rules,
           list_sort(list(rule_id) FILTER (WHERE level = 'flag')) AS flags,
           bool_or(level = 'red') AS any_red,
           bool_or(level = 'yellow') AS any_yellow,
           bool_or(rule_id IN ('IDLE', 'LE1', 'LE2', 'LE3', 'LE4', 'R01', 'R03', 'R10')) AS needs_revival
    FROM rule_hits
    GROUP BY asset_id
)
SELECT a.row_id, a.asset_id, a.asset_name, a.town, a.village, a.category, a.asset_type,
       a.original_value,
       CASE WHEN f.any_red THEN 'red' WHEN f.any_yellow THEN 'yellow' ELSE 'none' END AS level,
       coalesce(f.rules, []) AS rules,
       coalesce(f.flags, []) AS flags,
       CASE WHEN nullif(trim(a.disposal_circumstance), '') IS NOT NULL THEN '另起炉灶'
            WHEN a.operating_status = '停运' OR coalesce(f.needs_revival, false) THEN '盘活'
            WHEN f.any_red OR f.any_yellow THEN '提升'
            ELSE '巩固' END AS batch_suggested,
       a.batch_recorded,
       CASE WHEN a.original_value <= $tier_t1_max THEN 'T1'
            WHEN a.original_value <= $tier_t2_max THEN 'T2'
            WHEN a.original_value <= $tier_t3_max THEN 'T3'
            ELSE 'T4' END AS signoff_tier
FROM assets a
LEFT JOIN fired f USING (asset_id)
