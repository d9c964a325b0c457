-- 资产台账 detail: the asset's 处置台账 rows with their path and DP1–DP6 violations.
-- rules: DP1–DP6
-- used by: pages/ledger.py
-- formats: proceeds=万元
SELECT d.* EXCLUDE (row_id, asset_row, qa), c.path,
       array_to_string(c.violations, '、') AS violations
FROM disposals d
JOIN assets a ON a.row_id = d.asset_row
LEFT JOIN disposal_checks c ON c.row_id = d.row_id
WHERE a.asset_id = $asset_id
  AND a.row_id IN (SELECT row_id FROM scoped_assets($filters))
ORDER BY d.source_row
