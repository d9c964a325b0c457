-- The filtered assets of $town on which $rule_id fired — or, with $rule_id NULL, the town's
-- red- and yellow-warned assets (red first) — largest original value first, at most $limit,
-- each with every rule and flag it fired and the facts that explain it.  The 预警热力图
-- drill-down (a cell) and 总览's town ranking (a town) both read it.
-- rules: Y01–Y09, R01–R10
-- used by: dashboard/ui/drill.py (for the 预警热力图 and 总览 pages)
-- formats: original_value=万元
WITH picked AS (
    SELECT f.row_id, f.asset_id, f.asset_name, f.village, f.original_value, f.level
    FROM filtered_assets($filters) f
    WHERE coalesce(f.town, '未填写') = $town
      AND f.row_id IN (SELECT asset_row FROM rule_hits
                       WHERE CASE WHEN $rule_id IS NULL THEN level IN ('red', 'yellow')
                                  ELSE rule_id = $rule_id END)
    ORDER BY CASE WHEN $rule_id IS NULL AND f.level = 'yellow' THEN 1 ELSE 0 END,
             f.original_value DESC NULLS LAST, f.asset_id
    LIMIT $limit
)
SELECT p.asset_id, p.asset_name, p.village, p.original_value, p.level,
       h.rule_id, h.level AS rule_level, h.facts
FROM picked p
JOIN rule_hits h ON h.asset_row = p.row_id
ORDER BY CASE WHEN $rule_id IS NULL AND p.level = 'yellow' THEN 1 ELSE 0 END,
         p.original_value DESC NULLS LAST, p.asset_id,
         CASE h.level WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, h.rule_id
