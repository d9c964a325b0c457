-- 资产台账 detail: the asset's 收益分配 rows with the D1–D6 checks that failed.
-- rules: D1–D6
-- used by: pages/ledger.py
-- formats: amount=万元
SELECT d.* EXCLUDE (row_id, asset_row, qa),
       array_to_string(c.failed, '、') AS failed
FROM distribution d
JOIN assets a ON a.row_id = d.asset_row
LEFT JOIN distribution_checks c ON c.row_id = d.row_id
WHERE a.asset_id = $asset_id
  AND a.row_id IN (SELECT row_id FROM scoped_assets($filters))
ORDER BY d.year, d.source_row
