-- 督办事项's reminders (verification.md §3, no 督办): the assets in scope, with their reporting
-- authority (as red_assets.sql; the caller keeps one authority's), whose contract ends
-- within $contract_yellow_months of $as_of, or whose
-- income (约定上缴日期 or 约定分红日期, not yet paid) falls due within a month of $as_of —
-- so nothing turns red unseen (R09/Y08 for contracts, R02/R04 for income).
-- rules: Y08, R09
-- used by: dashboard/supervision/red.py
WITH owned AS (
    SELECT a.row_id, a.asset_id, a.asset_name, a.town, a.village, a.contract_end,
           coalesce($department_names[list_position($department_spellings, trim(a.department))],
                    a.town, '未填写') AS authority
    FROM assets a
    WHERE a.row_id IN (SELECT row_id FROM scoped_assets($filters))
),
mine AS (SELECT * FROM owned)
SELECT authority, asset_id, asset_name, town, village, 'contract' AS kind, contract_end AS due_date,
       '合同将于' || strftime(contract_end, '%Y年%-m月%-d日') || '到期' AS reason
FROM mine
WHERE contract_end >= $as_of
  AND contract_end <= CAST($as_of + to_months($contract_yellow_months) AS DATE)
UNION ALL
SELECT m.authority, m.asset_id, m.asset_name, m.town, m.village, 'income',
       coalesce(i.payment_due_date, i.dividend_due_date),
       CASE WHEN i.payment_due_date IS NOT NULL
            THEN i.year || '年度收益约定于' || strftime(i.payment_due_date, '%Y年%-m月%-d日') || '上缴'
            ELSE i.year || '年度分红约定于' || strftime(i.dividend_due_date, '%Y年%-m月%-d日') || '发放' END
FROM income i JOIN mine m USING (asset_id)
WHERE (i.payment_due_date BETWEEN $as_of AND CAST($as_of + INTERVAL 1 MONTH AS DATE) AND i.payment_date IS NULL)
   OR (i.dividend_due_date BETWEEN $as_of AND CAST($as_of + INTERVAL 1 MONTH AS DATE) AND i.dividend_date IS NULL)
ORDER BY 1, 7, 2
