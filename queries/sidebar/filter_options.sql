-- The values the sidebar filters offer: (field, value, parent) with the village's town
-- as parent, so the village list can follow the towns chosen.  Blank = '未填写'.
-- Only the values of the user's scope are offered.
-- rules: — (the values the filters offer)
-- used by: dashboard/ui/sidebar.py
WITH scoped AS (SELECT a.* FROM assets a JOIN scoped_assets($filters) s USING (row_id))
SELECT field, value, parent FROM (
    SELECT 'town' AS field, coalesce(town, '未填写') AS value, NULL AS parent FROM scoped
    UNION SELECT 'village', coalesce(village, '未填写'), coalesce(town, '未填写') FROM scoped
    UNION SELECT 'category', coalesce(category, '未填写'), NULL FROM scoped
    UNION SELECT 'asset_type', coalesce(asset_type, '未填写'), NULL FROM scoped
    UNION SELECT 'funding_source', coalesce(funding_source, '未填写'), NULL FROM scoped
    UNION SELECT 'build_year', CAST(build_year AS VARCHAR), NULL FROM scoped WHERE build_year IS NOT NULL
)
ORDER BY field, parent COLLATE zh, value COLLATE zh
