-- 资产台账 detail: every rule and flag fired on the asset $asset_id, with its facts.
-- rules: IDLE, LE1–LE4, Y01–Y09, R01–R10 and the flags
-- used by: pages/ledger.py
SELECT h.rule_id, h.level, h.key_date, h.occurrences, h.facts
FROM rule_hits h
JOIN assets a ON a.row_id = h.asset_row
WHERE a.asset_id = $asset_id
  AND a.row_id IN (SELECT row_id FROM scoped_assets($filters))
ORDER BY CASE h.level WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, h.rule_id
