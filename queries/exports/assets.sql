-- assets.csv of exports.md: one row per asset of 资产台账, in ledger order.
-- checks: the management checks MG1–MG6 that fired on the asset, sorted, ';'-joined (last column).
-- rules: IDLE, LE1–LE4, Y01–Y09, R01–R10, T1–T4 (level, rules and flags per asset), MG1–MG6
-- used by: dashboard/evaluate.py
SELECT asset_id, town, village, category, original_value AS original_value_yuan, level,
       array_to_string(rules, ';') AS rules,
       array_to_string(flags, ';') AS flags,
       batch_suggested, batch_recorded, signoff_tier,
       array_to_string($not_evaluated, ';') AS not_evaluated,
       coalesce(c.checks, '') AS checks
FROM asset_results
LEFT JOIN (SELECT asset_row, array_to_string(list_sort(list(rule_id)), ';') AS checks
           FROM management_checks GROUP BY asset_row) c ON c.asset_row = row_id
WHERE row_id IN (SELECT row_id FROM scoped_assets($filters))
ORDER BY row_id
