-- How many assets each management check MG1–MG6 fired on, per town (所在镇, '未填写' when
-- empty) within the user's scope: summary.json's `checks` and `checks_by_town` (the totals
-- are the sum over the towns).
-- rules: MG1–MG6
-- used by: dashboard/evaluate.py
SELECT coalesce(a.town, '未填写') AS town, m.rule_id, count(*) AS hits
FROM management_checks m
JOIN assets a ON a.row_id = m.asset_row
WHERE m.asset_row IN (SELECT row_id FROM scoped_assets($filters))
GROUP BY ALL
ORDER BY town, rule_id
