-- Distribution compliance D1–D6 (policy-rules §5): the verdicts, one row per 收益分配
-- row.  D1, D2 and D6 were judged at load (distribution_facts.sql); D3 reads the
-- edition's negative list as it is now ($negative_items / $negative_keywords, one pair per keyword), D4 the retention period at $as_of and D5 the edition's
-- beneficiary categories ($beneficiaries: each category and its aliases).  A check whose
-- column was not uploaded is NULL (not evaluated), never "passed".
-- Narrow on purpose (texts only for D3, quoted by R06): the distribution_checks view
-- adds the row's texts and the list of failed checks when read.
-- Purposes repeat across rows: each distinct text meets the negative list once.
-- rules: D1–D6
-- used by: dashboard/rules.py
WITH beneficiaries AS (
    -- D5: every part of 受益对象 is a category (or alias) of the edition in force; each
    -- distinct text is judged once.  No WHERE here: a filter would be pushed below the
    -- DISTINCT and split every row.
    SELECT beneficiary,
           len(parts) > 0 AND list_bool_and(list_transform(parts, lambda x: list_contains($beneficiaries, x)))
               AS allowed
    FROM (SELECT beneficiary,
                 list_filter(regexp_split_to_array(beneficiary, '[、，,;；/\s]+'), lambda x: x <> '') AS parts
          FROM (SELECT DISTINCT beneficiary FROM distribution_facts))
),
negative AS (
    SELECT p.purpose, min(n.item) AS item
    FROM (SELECT DISTINCT purpose FROM distribution_facts WHERE purpose IS NOT NULL) p
    JOIN (SELECT unnest($negative_items) AS item, unnest($negative_keywords) AS keyword) n   -- the edition's list
        ON contains(p.purpose, n.keyword)
    GROUP BY p.purpose
)
SELECT d.row_id, d.asset_row, d.source_row, d.year, n.item,
       CASE WHEN n.item IS NOT NULL THEN d.purpose END AS negative_purpose,
       -- a check that was not evaluated is NULL, and never listed as failed
       CASE WHEN list_contains($not_evaluated, 'D1') THEN NULL ELSE d.d1 END AS d1,
       CASE WHEN list_contains($not_evaluated, 'D2') THEN NULL ELSE d.d2 END AS d2,
       CASE WHEN list_contains($not_evaluated, 'D3') THEN NULL ELSE n.item IS NOT NULL END AS d3,
       CASE
           WHEN list_contains($not_evaluated, 'D4') OR d.income_arrived_date IS NULL THEN NULL
           WHEN d.distributed_date <= $as_of
               THEN d.distributed_date > d.income_arrived_date + to_months($retention_months)
           ELSE $as_of > d.income_arrived_date + to_months($retention_months)
       END AS d4,
       CASE WHEN list_contains($not_evaluated, 'D5') THEN NULL ELSE NOT coalesce(b.allowed, false) END AS d5,
       CASE WHEN list_contains($not_evaluated, 'D6') THEN NULL ELSE d.d6 END AS d6
FROM distribution_facts d
LEFT JOIN negative n ON n.purpose = d.purpose
LEFT JOIN beneficiaries b ON b.beneficiary = d.beneficiary
