-- 资产台账: how many filtered assets match the free-text $search, and their original value
-- (the same conditions as app_ledger.sql, for the page count and the caption).
SELECT count(*) AS assets, coalesce(sum(a.original_value), 0) AS value
FROM app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches) f
JOIN assets a ON a.row_id = f.row_id
WHERE $search = ''
   OR contains(a.asset_name, $search) OR contains(a.project_name, $search)
   OR contains(a.operator, $search) OR contains(a.custodian, $search)
   OR contains(a.village, $search) OR contains(a.town, $search) OR contains(a.asset_id, $search)
