-- What each 收益分配 row itself says, judged ONCE when the ledgers are loaded: the
-- distribution checks that depend on neither $as_of, a threshold nor the editable
-- negative list — D1 (no plan), D2 (plan changed without approval) and D6 (cash or
-- goods handed out).  distribution_judged.sql adds D3, D4, D5 (the beneficiary categories
-- are the edition's in force at $as_of) and what was not evaluated.
-- rules: D1, D2, D6
-- used by: dashboard/model.py
SELECT d.row_id, d.asset_row, d.source_row, d.year, d.purpose,
       d.income_arrived_date, d.distributed_date,
       (d.plan IS NULL OR d.plan = '无') AS d1,
       coalesce(d.plan_change = '未审批', false) AS d2,
       d.beneficiary,   -- D5 is judged at evaluation, by the edition in force (distribution_judged.sql)
       coalesce(d.payout_method IN ('直接发放现金', '发放现金', '现金发放', '发放实物', '实物发放'),
                false) AS d6
FROM distribution d
ORDER BY d.row_id
