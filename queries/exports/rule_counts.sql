-- How many assets (or ledger rows, for D and DP) each rule or flag fired on:
-- summary.json and the rule totals of the pages.
-- rules: every rule and flag: IDLE, LE1–LE4, Y01–Y09, R01–R10, D1–D6, DP1–DP6, T1–T4
-- used by: dashboard/evaluate.py
SELECT rule_id, count(*) AS hits FROM rule_hits WHERE row_in_scope($filters, asset_row, NULL, NULL) GROUP BY rule_id
UNION ALL
SELECT rule_id, count(*) FROM (SELECT unnest(failed) AS rule_id FROM distribution_checks
                              WHERE row_in_scope($filters, asset_row, town, village)) GROUP BY rule_id
UNION ALL
SELECT rule_id, count(*) FROM (SELECT unnest(violations) AS rule_id FROM disposal_checks
                              WHERE row_in_scope($filters, asset_row, NULL, NULL)) GROUP BY rule_id
UNION ALL
SELECT signoff_tier, count(*) FROM asset_results
WHERE row_id IN (SELECT row_id FROM scoped_assets($filters)) GROUP BY signoff_tier
ORDER BY rule_id
