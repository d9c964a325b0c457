-- 资产台账 detail: the asset's 问题台账 rows (aspect, rectification status and deadline).
-- rules: M3, T1–T4
-- used by: pages/ledger.py
SELECT p.* EXCLUDE (row_id, asset_row, qa)
FROM problems p
JOIN assets a ON a.row_id = p.asset_row
WHERE a.asset_id = $asset_id
  AND a.row_id IN (SELECT row_id FROM scoped_assets($filters))
ORDER BY p.found_date, p.source_row
