-- 资产台账 detail: the asset's income years (收益台账), with its income rate where computed.
-- rules: Y02, R03 (the income rate's rows)
-- used by: pages/ledger.py
-- formats: income_due=万元, income_received=万元, net_operating_income=万元
SELECT i.* EXCLUDE (row_id, asset_row, qa)
FROM income i
JOIN assets a ON a.row_id = i.asset_row
WHERE a.asset_id = $asset_id
  AND a.row_id IN (SELECT row_id FROM scoped_assets($filters))
ORDER BY i.year, i.source_row
