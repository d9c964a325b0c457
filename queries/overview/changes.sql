-- 总览: change since the previous snapshot, for the filtered assets of this one:
-- 'new' warnings (asset and rule red/yellow now, not before), 'cleared' ones (before,
-- not now) and 'worsened' assets (none → yellow/red, or yellow → red).
-- prev_rule_hits and prev_levels come from the previous snapshot's evaluation.
-- rules: Y01–Y09, R01–R10
-- used by: pages/overview.py
WITH f AS (
    SELECT row_id, asset_id, asset_name, town, village, original_value, level
    FROM filtered_assets($filters)
),
now AS (
    SELECT f.asset_id, h.rule_id, h.level FROM rule_hits h JOIN f ON f.row_id = h.asset_row
    WHERE h.level IN ('red', 'yellow')
),
before AS (
    SELECT p.asset_id, p.rule_id, p.level FROM prev_rule_hits p JOIN f USING (asset_id)
),
changes AS (
    SELECT 'new' AS change, asset_id, rule_id, level AS rule_level
    FROM now ANTI JOIN before USING (asset_id, rule_id)
    UNION ALL
    SELECT 'cleared', asset_id, rule_id, level FROM before ANTI JOIN now USING (asset_id, rule_id)
    UNION ALL
    SELECT 'worsened', f.asset_id, NULL, NULL
    FROM f JOIN prev_levels p USING (asset_id)
    WHERE (CASE f.level WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END)
        > (CASE p.level WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END)
)
SELECT c.change, coalesce(f.town, '未填写') AS town, f.village, c.asset_id, f.asset_name,
       f.original_value, c.rule_id, c.rule_level, f.level, p.level AS previous_level
FROM changes c
JOIN f USING (asset_id)
LEFT JOIN prev_levels p USING (asset_id)
ORDER BY c.change, town COLLATE zh, c.asset_id, c.rule_id
