-- Yellow warnings Y01–Y09 (policy-rules §3, seed 五): tracked by the town or banner
-- asset authority.  A disposed asset no longer operates: only Y07 applies to it.
-- One row per fired rule: asset_row, rule_id, key_date, facts (rule_hits.sql adds the 资产编号).
-- Y01, Y05, Y06, Y08 and Y09 read only 资产台账 and are judged in asset_checks.sql.
-- rules: Y01–Y09
-- used by: dashboard/rules.py
SELECT row_id AS asset_row, 'Y01' AS rule_id, NULL::DATE AS key_date,
       to_json(struct_pack(status := operating_status)) AS facts
FROM asset_checks WHERE y01

UNION ALL
SELECT asset_row, 'Y02', make_date(year, 12, 31),
       to_json(struct_pack(year := year, income := income, original_value := original_value, rate := rate))
FROM income_rate
WHERE rate >= $income_rate_too_low AND rate < $income_rate_reasonable

UNION ALL
SELECT i.asset_row, 'Y03', i.payment_date,
       to_json(struct_pack(year := i.year, payment_due_date := i.payment_due_date,
                           payment_date := i.payment_date))
FROM income i
WHERE i.asset_row IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM asset_facts f WHERE f.row_id = i.asset_row AND f.disposed)
  AND i.year >= $yr
  AND i.income_received >= i.income_due
  AND i.payment_date > i.payment_due_date
  AND i.payment_date <= $as_of

UNION ALL
SELECT c.asset_row, 'Y04', make_date(c.year, 12, 31),
       to_json(struct_pack(year := c.year, sheet_row := c.source_row,
                           failed := array_to_string(list_filter(
                               [CASE WHEN c.d1 THEN 'D1' END, CASE WHEN c.d2 THEN 'D2' END,
                                CASE WHEN c.d4 THEN 'D4' END, CASE WHEN c.d5 THEN 'D5' END,
                                CASE WHEN c.d6 THEN 'D6' END], lambda x: x IS NOT NULL), '、')))
FROM distribution_judged c
WHERE c.asset_row IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM asset_facts f WHERE f.row_id = c.asset_row AND f.disposed)
  AND c.year >= $yr AND (c.d1 OR c.d2 OR c.d4 OR c.d5 OR c.d6)   -- D3 is R06

UNION ALL
SELECT row_id, 'Y05', revitalised_date,
       to_json(struct_pack(revitalised_date := revitalised_date,
                           watch_until := CAST(revitalised_date + to_months($revitalised_watch_months) AS DATE)))
FROM asset_checks WHERE y05

UNION ALL
SELECT row_id, 'Y06', NULL, to_json(struct_pack(judicial := judicial_recovery))
FROM asset_checks WHERE y06

UNION ALL
SELECT d.asset_row, 'Y07', d.disposal_date,
       to_json(struct_pack(proceeds := d.proceeds, disposal_date := d.disposal_date))
FROM disposals d
WHERE d.asset_row IS NOT NULL AND d.proceeds > 0 AND NOT coalesce(d.proceeds_allocated_date <= $as_of, false)

UNION ALL   -- Y08 (ends within the yellow window) and Y09 (ended, renewal overdue): the contract's end
SELECT row_id, unnest(list_filter(['Y08', 'Y09'], lambda x, i: [y08, y09][i])), contract_end,
       to_json(struct_pack(contract_end := contract_end))
FROM asset_checks WHERE y08 OR y09
