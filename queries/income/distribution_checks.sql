-- 收益与分配: each distribution check D1–D6 over the filtered 收益分配 rows (see
-- filtered_distribution in filters/sidebar.sql): rows checked, passing, failing and the money
-- of the failing rows.  A check that was not evaluated counts no row at all.
-- rules: D1–D6
-- used by: pages/income.py
-- formats: failed_amount=万元
WITH dist AS (
    SELECT * FROM filtered_distribution($filters, $as_of)
),
checks AS (
    SELECT amount, upper(check_id) AS check_id, failed_check
    FROM (UNPIVOT (SELECT amount, d1, d2, d3, d4, d5, d6 FROM dist)
          ON d1, d2, d3, d4, d5, d6 INTO NAME check_id VALUE failed_check)
    WHERE NOT list_contains($not_evaluated, upper(check_id))
)
SELECT c.check_id, count(x.check_id) AS checked,
       count(*) FILTER (WHERE NOT x.failed_check) AS passed,
       count(*) FILTER (WHERE x.failed_check) AS failing,
       coalesce(sum(x.amount) FILTER (WHERE x.failed_check), 0) AS failed_amount,
       list_contains($not_evaluated, c.check_id) AS not_evaluated
FROM (SELECT unnest(['D1', 'D2', 'D3', 'D4', 'D5', 'D6']) AS check_id) c
LEFT JOIN checks x ON x.check_id = c.check_id
GROUP BY c.check_id
ORDER BY c.check_id
