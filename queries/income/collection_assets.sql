-- 收益与分配: the filtered operating assets with their collection checks C1–C6 (true =
-- pass, false = fail, NULL = nothing to check), the checks failed and the facts of the
-- C1/C5 sentences (income of the last full year $yr).
-- rules: C1–C6
-- used by: pages/income.py
-- formats: original_value=万元
SELECT c.asset_id, f.asset_name, coalesce(c.town, '未填写') AS town, coalesce(c.village, '未填写') AS village,
       c.original_value, c.C1, c.C2, c.C3, c.C4, c.C5, c.C6,
       list_filter(['C1', 'C2', 'C3', 'C4', 'C5', 'C6'],
                   lambda x, i: [c.C1, c.C2, c.C3, c.C4, c.C5, c.C6][i] = false) AS failed,
       to_json(struct_pack(year := $yr, rate := r.rate, income := c.income_last_year,
                           contract_income := c.contract_income)) AS facts
FROM collection_checks c
JOIN filtered_assets($filters) f
  ON f.asset_id = c.asset_id
LEFT JOIN income_rate r ON r.asset_id = c.asset_id
WHERE NOT $failing_only OR false IN (c.C1, c.C2, c.C3, c.C4, c.C5, c.C6)
ORDER BY town COLLATE zh, village COLLATE zh, c.asset_id
