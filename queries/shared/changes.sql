-- What changed since the month compared with (dashboard/baseline.py chooses it), one row per
-- change, for the filtered assets: 总览 counts and lists these rows, the reports count them.
--   joined   — an asset of this month the earlier one did not hold (新增资产)
--   left     — an asset of the earlier month this one no longer holds (减少资产)
--   new      — a red/yellow warning (asset, rule) firing now, not then, on an asset of both or a joined one
--   cleared  — a warning firing then, not now, on an asset still held (one that left is 'left')
--   worsened — an asset held in both whose level rose (none → yellow/red, yellow → red)
-- prev_rule_hits (shared/previous_warnings), prev_levels (shared/previous_assets, scope only)
-- and prev_assets (the same with the filters) come from the earlier evaluation.
-- rules: Y01–Y09, R01–R10
-- used by: pages/overview.py, dashboard/reports/content.py
-- formats: original_value=万元
WITH f AS (
    SELECT row_id, asset_id, asset_name, town, village, original_value, level
    FROM filtered_assets($filters)
),
held AS (SELECT DISTINCT r.asset_id FROM asset_results r JOIN scoped_assets($filters) USING (row_id)),
was AS (SELECT DISTINCT asset_id FROM prev_levels),
now AS (
    SELECT f.asset_id, h.rule_id, h.level FROM rule_hits h JOIN f ON f.row_id = h.asset_row
    WHERE h.level IN ('red', 'yellow')
),
before AS (
    SELECT p.asset_id, p.rule_id, p.level FROM prev_rule_hits p SEMI JOIN f USING (asset_id)
),
prev AS (SELECT asset_id, any_value(level) AS level FROM prev_levels GROUP BY asset_id),
changes AS (
    SELECT 'joined' AS change, asset_id, NULL AS rule_id, NULL AS rule_level
    FROM (SELECT DISTINCT asset_id FROM f) ANTI JOIN was USING (asset_id)
    UNION ALL
    SELECT 'new', asset_id, rule_id, level FROM now ANTI JOIN before USING (asset_id, rule_id)
    UNION ALL
    SELECT 'cleared', asset_id, rule_id, level FROM before ANTI JOIN now USING (asset_id, rule_id)
    UNION ALL
    SELECT 'worsened', f.asset_id, NULL, NULL
    FROM f JOIN prev p USING (asset_id)
    WHERE (CASE f.level WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END)
        > (CASE p.level WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END)
)
SELECT c.change, coalesce(f.town, '未填写') AS town, f.village, c.asset_id, f.asset_name,
       f.original_value, c.rule_id, c.rule_level, f.level, p.level AS previous_level
FROM changes c
JOIN f USING (asset_id)
LEFT JOIN prev p USING (asset_id)
UNION ALL
SELECT 'left', coalesce(a.town, '未填写'), a.village, a.asset_id, a.asset_name, a.original_value,
       NULL, NULL, NULL, a.level
FROM prev_assets a ANTI JOIN held USING (asset_id)
ORDER BY list_position(['joined', 'left', 'new', 'cleared', 'worsened'], change), town COLLATE zh, asset_id, rule_id
