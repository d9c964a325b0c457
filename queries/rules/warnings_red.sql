-- Red warnings R01–R10 (policy-rules §3, seed 五): the banner rural-affairs office
-- (旗委农牧办) intervenes early.  A disposed asset no longer operates and gets none.
-- One row per fired rule: asset_row, rule_id, key_date, facts (rule_hits.sql adds the 资产编号).
-- R01, R02, R08, R09 and R10 read only 资产台账 and are judged in asset_checks.sql.
-- rules: R01–R10
-- used by: dashboard/rules.py
SELECT row_id AS asset_row, 'R01' AS rule_id, NULL::DATE AS key_date,
       to_json(struct_pack(status := operating_status)) AS facts
FROM asset_checks WHERE r01

UNION ALL
SELECT row_id, 'R02', principal_due,
       to_json(struct_pack(principal := principal, principal_due := principal_due,
                           principal_recovered := coalesce(principal_recovered, 0)))
FROM asset_checks WHERE r02

UNION ALL
SELECT asset_row, 'R03', make_date(year, 12, 31),
       to_json(struct_pack(year := year, income := income, original_value := original_value, rate := rate))
FROM income_rate
WHERE rate < $income_rate_too_low

UNION ALL
-- the year's 应收收益 summed over its rows (§9), only years wholly inside the contract:
-- a partial first or last year owes less
SELECT a.row_id, 'R04', make_date(i.year, 12, 31),
       to_json(struct_pack(year := i.year, income_due := i.income_due, income_rows := i.income_rows,
                           contract_income := a.contract_income))
FROM (SELECT asset_row, year, sum(income_due) AS income_due, count(*) AS income_rows
      FROM income WHERE asset_row IS NOT NULL AND year <= $yr GROUP BY asset_row, year) i
JOIN asset_facts a ON a.row_id = i.asset_row
WHERE a.active AND a.contract_income IS NOT NULL
  AND a.contract_start <= make_date(i.year, 1, 1)
  AND a.contract_end >= make_date(i.year, 12, 31)
  AND i.income_due < a.contract_income

UNION ALL
SELECT i.asset_row, 'R05', i.payment_due_date,
       to_json(struct_pack(year := i.year, payment_due_date := i.payment_due_date,
                           income_due := i.income_due,
                           income_received := CASE WHEN i.payment_date <= $as_of
                                                   THEN coalesce(i.income_received, 0) ELSE 0 END))
FROM income i
WHERE i.asset_row IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM asset_facts f WHERE f.row_id = i.asset_row AND f.disposed)
  AND i.payment_due_date < $as_of
  AND (i.payment_date IS NULL OR i.payment_date > $as_of
       OR coalesce(i.income_received, 0) < i.income_due)

UNION ALL
SELECT c.asset_row, 'R06', make_date(c.year, 12, 31),
       to_json(struct_pack(year := c.year, purpose := c.negative_purpose, item := c.item))
FROM distribution_judged c
WHERE c.asset_row IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM asset_facts f WHERE f.row_id = c.asset_row AND f.disposed)
  AND c.year >= $yr AND c.d3

UNION ALL
SELECT a.row_id, 'R07', a.stop_date, to_json(struct_pack(stop_date := a.stop_date))
FROM warnings_idle w JOIN asset_facts a ON a.row_id = w.asset_row
WHERE w.rule_id = 'IDLE' AND NOT coalesce(a.revitalised_date <= $as_of, false)

UNION ALL
SELECT row_id, 'R08', NULL,
       to_json(struct_pack(circumstance := disposal_circumstance,
                           status := coalesce(disposal_status, '未填写')))
FROM asset_checks WHERE r08

UNION ALL   -- R09 (ends within the red window) and R10 (ended long ago, not renewed): the contract's end
SELECT row_id, unnest(list_filter(['R09', 'R10'], lambda x, i: [r09, r10][i])), contract_end,
       to_json(struct_pack(contract_end := contract_end))
FROM asset_checks WHERE r09 OR r10
