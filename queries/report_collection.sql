-- Income collection C1–C6 per town (town NULL = the banner): operating assets checked,
-- passing and failing each check (an asset with nothing to check is not counted).
SELECT town, upper(check_id) AS check_id, count(*) AS checked,
       count(*) FILTER (WHERE ok) AS passed, count(*) FILTER (WHERE NOT ok) AS failed,
       GROUPING(town) = 1 AS is_total
FROM (
    UNPIVOT (SELECT coalesce(town, '未填写') AS town, c1, c2, c3, c4, c5, c6 FROM collection_checks)
    ON c1, c2, c3, c4, c5, c6 INTO NAME check_id VALUE ok
)
GROUP BY GROUPING SETS ((town, check_id), (check_id))
ORDER BY is_total, town COLLATE zh, check_id
