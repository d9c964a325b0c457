-- An older evaluation's level per asset, handed to overview/changes.sql as prev_levels.
-- rules: Y01–Y09, R01–R10 (levels)
-- used by: dashboard/ui/data.py
SELECT asset_id, level FROM asset_results
WHERE row_id IN (SELECT row_id FROM scoped_assets($filters))
