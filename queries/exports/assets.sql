-- assets.csv of exports.md: one row per asset of 资产台账, in ledger order.
-- rules: IDLE, LE1–LE4, Y01–Y09, R01–R10, T1–T4 (level, rules and flags per asset)
-- used by: dashboard/evaluate.py
SELECT asset_id, town, village, category, original_value AS original_value_yuan, level,
       array_to_string(rules, ';') AS rules,
       array_to_string(flags, ';') AS flags,
       batch_suggested, batch_recorded, signoff_tier,
       array_to_string($not_evaluated, ';') AS not_evaluated
FROM asset_results
WHERE row_id IN (SELECT row_id FROM scoped_assets($filters))
ORDER BY row_id
