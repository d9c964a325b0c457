-- 预警热力图 drill-down: the filtered assets of $town on which $rule_id fired (largest
-- original value first, at most $limit), each with every rule and flag it fired and the
-- facts that explain it.
-- rules: Y01–Y09, R01–R10
-- used by: pages/heatmap.py
WITH picked AS (
    SELECT f.row_id, f.asset_id, f.asset_name, f.village, f.original_value, f.level
    FROM rule_hits h
    JOIN filtered_assets($filters) f
      ON f.row_id = h.asset_row
    WHERE h.rule_id = $rule_id AND coalesce(f.town, '未填写') = $town
    ORDER BY f.original_value DESC NULLS LAST, f.asset_id
    LIMIT $limit
)
SELECT p.asset_id, p.asset_name, p.village, p.original_value, p.level,
       h.rule_id, h.level AS rule_level, h.facts
FROM picked p
JOIN rule_hits h ON h.asset_row = p.row_id
ORDER BY p.original_value DESC NULLS LAST, p.asset_id,
         CASE h.level WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, h.rule_id
