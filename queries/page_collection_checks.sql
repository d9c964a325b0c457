-- 收益与分配: each collection check C1–C6 over the filtered operating assets: assets
-- checked, passing, failing and the original value of the failing ones.
WITH checks AS (
    SELECT original_value, upper(check_id) AS check_id, ok
    FROM (UNPIVOT (SELECT c.original_value, c.c1, c.c2, c.c3, c.c4, c.c5, c.c6
                   FROM collection_checks c
                   JOIN app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to,
                                     $levels, $batches) f ON f.asset_id = c.asset_id)
          ON c1, c2, c3, c4, c5, c6 INTO NAME check_id VALUE ok)
)
SELECT c.check_id, count(x.check_id) AS checked,
       count(*) FILTER (WHERE x.ok) AS passed, count(*) FILTER (WHERE NOT x.ok) AS failing,
       coalesce(sum(x.original_value) FILTER (WHERE NOT x.ok), 0) AS failed_value,
       list_contains($not_evaluated, c.check_id) AS not_evaluated
FROM (SELECT unnest(['C1', 'C2', 'C3', 'C4', 'C5', 'C6']) AS check_id) c
LEFT JOIN checks x ON x.check_id = c.check_id
GROUP BY c.check_id
ORDER BY c.check_id
