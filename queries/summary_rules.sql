-- How many assets (or ledger rows, for D and DP) each rule or flag fired on:
-- summary.json and the rule totals of the pages.
SELECT rule_id, count(*) AS hits FROM rule_hits GROUP BY rule_id
UNION ALL
SELECT rule_id, count(*) FROM (SELECT unnest(failed) AS rule_id FROM distribution_checks) GROUP BY rule_id
UNION ALL
SELECT rule_id, count(*) FROM (SELECT unnest(violations) AS rule_id FROM disposal_checks) GROUP BY rule_id
UNION ALL
SELECT signoff_tier, count(*) FROM asset_results GROUP BY signoff_tier
ORDER BY rule_id
