-- Per asset that fired anything: warning level, rules and flags, and whether it is
-- idle or low-efficiency (for the four batches).  Sparse on purpose: assets with
-- nothing fired are level 'none' in the asset_results view.
-- rules: every warning and flag → the asset's level
-- used by: dashboard/rules.py
SELECT asset_row AS row_id,
       CASE WHEN bool_or(level = 'red') THEN 'red'
            WHEN bool_or(level = 'yellow') THEN 'yellow' ELSE 'none' END AS level,
       list_sort(list(rule_id) FILTER (WHERE level IN ('red', 'yellow'))) AS rules,
       list_sort(list(rule_id) FILTER (WHERE level = 'flag')) AS flags,
       bool_or(rule_id IN ('IDLE', 'LE1', 'LE2', 'LE3', 'LE4', 'R01', 'R03', 'R10')) AS needs_revival
FROM rule_hits
GROUP BY asset_row
