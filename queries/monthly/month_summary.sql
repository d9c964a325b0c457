-- A saved month's summary: its assets counted (and their original value summed) by level and
-- by the attributes the scope and most sidebar filters read (town, village, 主管部门, category,
-- batch), judged at the month's reference date.  Written into the month's file when it is
-- saved or consolidated (dashboard/month_summary.py), so the heatmap's month history reads a
-- few thousand rows per month instead of evaluating every month (shared/town_levels_months).
-- Type, funding source and build year are left out: they would multiply the rows tenfold
-- (35,000 rows for 100,000 assets instead of about 3,400), so a history filtered by them
-- evaluates the months (month_summary.answers).  Texts are kept as the filters compare them
-- (a blank town, village or category is '未填写').  With them the milestone view's counts of
-- MG1 and MG3 (progress/check_shares): the in-scope assets checked and those passing each.
-- rules: (none; the levels of every rule, as asset_results holds them), MG1, MG3
-- used by: dashboard/month_summary.py
SELECT coalesce(r.town, '未填写') AS town,
       coalesce(r.village, '未填写') AS village,
       r.department,
       coalesce(r.category, '未填写') AS category,
       r.level,
       r.batch_suggested,
       CAST(count(*) AS BIGINT) AS assets,
       CAST(coalesce(sum(r.original_value), 0) AS DECIMAL(38,2)) AS value,
       CAST(count(*) FILTER (WHERE checked) AS BIGINT) AS checked,
       CAST(count(*) FILTER (WHERE checked AND NOT coalesce(m.mg1, false)) AS BIGINT) AS confirmed,
       CAST(count(*) FILTER (WHERE checked AND NOT coalesce(m.mg3, false)) AS BIGINT) AS on_platform
FROM (SELECT r.*, a.department,
             NOT list_contains(r.flags, 'OUT_OF_SCOPE') AND a.disposal_status IS DISTINCT FROM '已处置' AS checked
      FROM asset_results r JOIN assets a ON a.row_id = r.row_id) r
LEFT JOIN (SELECT asset_row, bool_or(rule_id = 'MG1') AS mg1, bool_or(rule_id = 'MG3') AS mg3
           FROM management_checks GROUP BY asset_row) m ON m.asset_row = r.row_id
GROUP BY ALL
ORDER BY ALL
