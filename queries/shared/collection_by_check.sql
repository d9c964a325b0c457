-- Income collection checks C1–C6 over the filtered operating assets, per town and for the
-- whole (is_total, town NULL; always all six checks): assets checked, passing, failing,
-- the original value of the failing ones, and whether the check was not evaluated (its
-- sheet or column not uploaded).  An asset with nothing to check is not counted.
-- rules: C1, C2, C3, C4, C5, C6
-- used by: pages/income.py, dashboard/reports/content.py
-- formats: failed_value=万元
WITH checks AS (
    SELECT town, check_id, ok, original_value
    FROM (UNPIVOT (SELECT coalesce(c.town, '未填写') AS town, c.original_value, c.C1, c.C2, c.C3, c.C4, c.C5, c.C6
                   FROM collection_checks c
                   JOIN filtered_assets($filters) f ON f.row_id = c.asset_row)
          ON C1, C2, C3, C4, C5, C6 INTO NAME check_id VALUE ok)
),
counted AS (
    SELECT town, check_id, count(*) AS checked,
           count(*) FILTER (WHERE ok) AS passed, count(*) FILTER (WHERE NOT ok) AS failing,
           coalesce(sum(original_value) FILTER (WHERE NOT ok), 0) AS failed_value,
           GROUPING(town) = 1 AS is_total
    FROM checks
    GROUP BY GROUPING SETS ((town, check_id), (check_id))
),
ids AS (SELECT unnest(['C1', 'C2', 'C3', 'C4', 'C5', 'C6']) AS check_id)
SELECT n.town, i.check_id, coalesce(n.checked, 0) AS checked, coalesce(n.passed, 0) AS passed,
       coalesce(n.failing, 0) AS failing, coalesce(n.failed_value, 0) AS failed_value,
       list_contains($not_evaluated, i.check_id) AS not_evaluated, true AS is_total
FROM ids i LEFT JOIN counted n ON n.check_id = i.check_id AND n.is_total
UNION ALL
SELECT town, check_id, checked, passed, failing, failed_value,
       list_contains($not_evaluated, check_id), false
FROM counted WHERE NOT is_total
ORDER BY is_total, town COLLATE zh, check_id
