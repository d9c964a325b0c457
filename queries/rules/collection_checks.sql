-- Income collection compliance C1–C6 (policy-rules §5, seed 四(四)) per operating asset:
-- true = pass, false = fail, NULL = nothing to check (or not evaluated).
-- rules: C1–C6
-- used by: dashboard/rules.py
WITH late AS (   -- income rows paid late or not paid in full by the due date
    SELECT i.asset_row, bool_and(nullif(trim(i.reminder), '') IS NOT NULL) AS all_chased
    FROM income i
    WHERE i.payment_due_date < $as_of
      AND (i.payment_date IS NULL OR i.payment_date > i.payment_due_date
           OR coalesce(i.income_received, 0) < i.income_due)
    GROUP BY i.asset_row
),
hits AS (
    SELECT asset_row,
           bool_or(rule_id IN ('Y02', 'R03')) AS low_income,
           bool_or(rule_id IN ('Y03', 'R05')) AS not_on_time,
           bool_or(rule_id = 'R02') AS principal_overdue
    FROM rule_hits GROUP BY asset_row
),
SELECT a.row_id AS asset_row, a.asset_id, a.town, a.village, a.original_value,
       CASE WHEN list_contains($not_evaluated, 'C1') OR r.asset_row IS NULL THEN NULL ELSE NOT coalesce(h.low_income, false) END AS C1,
       CASE WHEN list_contains($not_evaluated, 'C2') OR NOT a.has_income THEN NULL ELSE NOT coalesce(h.not_on_time, false) END AS C2,
       CASE WHEN list_contains($not_evaluated, 'C3') THEN NULL ELSE l.all_chased END AS C3,
       CASE WHEN list_contains($not_evaluated, 'C4') THEN NULL   -- no 联农带农 column uploaded
            ELSE coalesce(trim(a.benefit_linkage), '') NOT IN ('', '无', '否', '未建立') END AS C4,
       CASE WHEN list_contains($not_evaluated, 'C5') OR r.asset_row IS NULL OR a.contract_income IS NULL THEN NULL
            ELSE r.income >= a.contract_income END AS C5,
       CASE WHEN coalesce(a.principal, 0) = 0 OR a.principal_due >= $as_of THEN NULL
            ELSE NOT coalesce(h.principal_overdue, false) END AS C6,
       r.income AS income_last_year, a.contract_income
FROM asset_facts a
LEFT JOIN income_rate r ON r.asset_row = a.row_id
LEFT JOIN hits h ON h.asset_row = a.row_id
LEFT JOIN late l ON l.asset_row = a.row_id
WHERE a.operating
