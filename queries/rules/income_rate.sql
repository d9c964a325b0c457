-- Annual income rate (policy-rules §3, shared definitions): 实收收益 of the last
-- full year $yr ÷ 资产原值, for operating assets with at least one full year of
-- operation (建成年度 < $yr).  An asset with no income row for $yr has income 0.
-- Several rows of one asset and year are summed (policy-rules §9).  实收收益 whose
-- 实际上缴日期 is after $as_of had not been received yet and does not count; an empty
-- 实际上缴日期 with 实收收益 > 0 counts (the money is recorded as received).
-- rules: Y02, R03, C1, C5 (the income rate of §3)
-- used by: dashboard/rules.py
SELECT a.row_id AS asset_row, a.asset_id,
       $yr AS year,
       coalesce(i.income, 0)::DECIMAL(18,2) AS income,
       a.original_value,
       coalesce(i.income, 0) / a.original_value AS rate
FROM asset_facts a
LEFT JOIN (
    SELECT asset_row, sum(income_received) AS income
    FROM income
    WHERE year = $yr AND (payment_date IS NULL OR payment_date <= $as_of)
    GROUP BY asset_row
) i ON i.asset_row = a.row_id
WHERE a.operating
  AND a.build_year < $yr
  AND a.original_value > 0
