-- The values the sidebar filters offer: (field, value, parent) with the village's town
-- as parent, so the village list can follow the towns chosen.  Blank = '未填写'.
-- rules: — (the values the filters offer)
-- used by: dashboard/ui/sidebar.py
SELECT field, value, parent FROM (
    SELECT 'town' AS field, coalesce(town, '未填写') AS value, NULL AS parent FROM assets
    UNION SELECT 'village', coalesce(village, '未填写'), coalesce(town, '未填写') FROM assets
    UNION SELECT 'category', coalesce(category, '未填写'), NULL FROM assets
    UNION SELECT 'asset_type', coalesce(asset_type, '未填写'), NULL FROM assets
    UNION SELECT 'funding_source', coalesce(funding_source, '未填写'), NULL FROM assets
    UNION SELECT 'build_year', CAST(build_year AS VARCHAR), NULL FROM assets WHERE build_year IS NOT NULL
)
ORDER BY field, parent COLLATE zh, value COLLATE zh
