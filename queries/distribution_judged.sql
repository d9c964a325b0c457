-- Distribution compliance D1–D6 (policy-rules §5): the verdicts, one row per 收益分配
-- row.  A check whose column was not uploaded is NULL (not evaluated), never "passed".
-- Narrow on purpose (texts only for D3, quoted by R06): the distribution_checks view
-- adds the row's texts when read.
-- Purposes and beneficiaries repeat across rows: judge each distinct text once.
WITH negative AS (
    SELECT p.purpose, min(n.item) AS item
    FROM (SELECT DISTINCT purpose FROM distribution WHERE purpose IS NOT NULL) p
    JOIN negative_list n ON contains(p.purpose, n.keyword)
    GROUP BY p.purpose
),
beneficiaries AS (
    -- no WHERE here: a filter would be pushed below the DISTINCT and split every row
    SELECT beneficiary,
           len(parts) > 0 AND list_bool_and(list_transform(parts,
               lambda x: x IN ('脱贫户', '脱贫人口', '监测对象', '监测户', '村集体'))) AS allowed
    FROM (SELECT beneficiary,
                 list_filter(regexp_split_to_array(beneficiary, '[、，,;；/\s]+'), lambda x: x <> '') AS parts
          FROM (SELECT DISTINCT beneficiary FROM distribution))
),
checks AS (
    SELECT d.row_id, d.asset_row, d.source_row, d.year, n.item,
           CASE WHEN n.item IS NOT NULL THEN d.purpose END AS negative_purpose,
           (d.plan IS NULL OR d.plan = '无') AS d1,
           coalesce(d.plan_change = '未审批', false) AS d2,
           n.item IS NOT NULL AS d3,
           CASE
               WHEN d.income_arrived_date IS NULL THEN NULL
               WHEN d.distributed_date <= $as_of
                   THEN d.distributed_date > d.income_arrived_date + to_months($retention_months)
               ELSE $as_of > d.income_arrived_date + to_months($retention_months)
           END AS d4,
           NOT coalesce(b.allowed, false) AS d5,
           coalesce(d.payout_method IN ('直接发放现金', '发放现金', '现金发放', '发放实物', '实物发放'),
                    false) AS d6
    FROM distribution d
    LEFT JOIN negative n ON n.purpose = d.purpose
    LEFT JOIN beneficiaries b ON b.beneficiary = d.beneficiary
),
-- A check that was not evaluated is NULL, and never listed as failed.
judged AS (
    SELECT * REPLACE (
           CASE WHEN list_contains($not_evaluated, 'D1') THEN NULL ELSE d1 END AS d1,
           CASE WHEN list_contains($not_evaluated, 'D2') THEN NULL ELSE d2 END AS d2,
           CASE WHEN list_contains($not_evaluated, 'D3') THEN NULL ELSE d3 END AS d3,
           CASE WHEN list_contains($not_evaluated, 'D4') THEN NULL ELSE d4 END AS d4,
           CASE WHEN list_contains($not_evaluated, 'D5') THEN NULL ELSE d5 END AS d5,
           CASE WHEN list_contains($not_evaluated, 'D6') THEN NULL ELSE d6 END AS d6)
    FROM checks
)
SELECT *,
       list_filter([CASE WHEN d1 THEN 'D1' END, CASE WHEN d2 THEN 'D2' END,
                    CASE WHEN d3 THEN 'D3' END, CASE WHEN d4 THEN 'D4' END,
                    CASE WHEN d5 THEN 'D5' END, CASE WHEN d6 THEN 'D6' END],
                   lambda x: x IS NOT NULL) AS failed
FROM judged
