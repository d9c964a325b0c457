-- An older evaluation's warnings, handed to app_changes.sql as prev_rule_hits.
SELECT asset_id, rule_id, level FROM rule_hits WHERE level IN ('red', 'yellow')
