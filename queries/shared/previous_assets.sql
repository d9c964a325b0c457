-- An older evaluation's assets (the month compared with), handed to shared/changes.sql:
-- as prev_levels with the user's scope only (was an asset there, at what level) and as
-- prev_assets with the sidebar filters too (the assets that left the month, as they were).
-- rules: Y01–Y09, R01–R10 (levels)
-- used by: dashboard/ui/data.py, dashboard/reports/content.py
-- formats: original_value=万元
SELECT asset_id, asset_name, town, village, original_value, level
FROM filtered_assets($filters)
