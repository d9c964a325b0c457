-- An older evaluation's red and yellow warnings (asset, rule, level and the facts that
-- explained them then), registered on a newer evaluation as prev_rule_hits: 总览's
-- changes since the previous month and the reports' new and cleared warnings read it.
-- rules: Y01–Y09, R01–R10
-- used by: dashboard/ui/data.py, dashboard/reports/content.py
SELECT asset_id, rule_id, level, facts FROM rule_hits
WHERE level IN ('red', 'yellow') AND row_in_scope($filters, asset_row, NULL, NULL)
