-- What each 收益分配 row itself says, judged ONCE when the ledgers are loaded: the
-- distribution checks that depend on neither $as_of, a threshold nor the editable
-- negative list — D1 (no plan), D2 (plan changed without approval), D5 (paid to
-- someone other than the households and collectives named) and D6 (cash or goods
-- handed out).  distribution_judged.sql adds D3 and D4 and what was not evaluated.
-- Beneficiaries repeat across rows: each distinct text is judged once.
-- rules: D1, D2, D5, D6
-- used by: dashboard/model.py
WITH beneficiaries AS (
    -- no WHERE here: a filter would be pushed below the DISTINCT and split every row
    SELECT beneficiary,
           len(parts) > 0 AND list_bool_and(list_transform(parts,
               lambda x: x IN ('脱贫户', '脱贫人口', '监测对象', '监测户', '村集体'))) AS allowed
    FROM (SELECT beneficiary,
                 list_filter(regexp_split_to_array(beneficiary, '[、，,;；/\s]+'), lambda x: x <> '') AS parts
          FROM (SELECT DISTINCT beneficiary FROM distribution))
)
SELECT d.row_id, d.asset_row, d.source_row, d.year, d.purpose,
       d.income_arrived_date, d.distributed_date,
       (d.plan IS NULL OR d.plan = '无') AS d1,
       coalesce(d.plan_change = '未审批', false) AS d2,
       NOT coalesce(b.allowed, false) AS d5,
       coalesce(d.payout_method IN ('直接发放现金', '发放现金', '现金发放', '发放实物', '实物发放'),
                false) AS d6
FROM distribution d
LEFT JOIN beneficiaries b ON b.beneficiary = d.beneficiary
ORDER BY d.row_id
