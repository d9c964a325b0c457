-- 资产台账 detail: one asset (by $asset_id) with every column and its evaluation.
-- rules: every rule (the asset's level, rules, flags, batch and tier)
-- used by: pages/ledger.py
-- formats: original_value=万元, net_value=万元, contract_income=万元, principal=万元, principal_recovered=万元
SELECT a.* EXCLUDE (row_id, qa), r.level, r.rules, r.flags, r.batch_suggested, r.signoff_tier
FROM assets a
JOIN asset_results r ON r.row_id = a.row_id
WHERE a.asset_id = $asset_id
  AND a.row_id IN (SELECT row_id FROM scoped_assets($filters))
