-- An older evaluation's level per asset, handed to app_changes.sql as prev_levels.
SELECT asset_id, level FROM asset_results
