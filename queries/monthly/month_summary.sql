-- A saved month's summary: its assets counted (and their original value summed) by level and
-- by the attributes the scope and most sidebar filters read (town, village, 主管部门, category,
-- batch), judged at the month's reference date.  Written into the month's file when it is
-- saved or consolidated (dashboard/month_summary.py), so the heatmap's month history reads a
-- few thousand rows per month instead of evaluating every month (shared/town_levels_months).
-- Type, funding source and build year are left out: they would multiply the rows tenfold
-- (35,000 rows for 100,000 assets instead of about 3,400), so a history filtered by them
-- evaluates the months (month_summary.answers).  Texts are kept as the filters compare them
-- (a blank town, village or category is '未填写').
-- rules: (none; the levels of every rule, as asset_results holds them)
-- used by: dashboard/month_summary.py
SELECT coalesce(r.town, '未填写') AS town,
       coalesce(r.village, '未填写') AS village,
       a.department,
       coalesce(r.category, '未填写') AS category,
       r.level,
       r.batch_suggested,
       CAST(count(*) AS BIGINT) AS assets,
       CAST(coalesce(sum(r.original_value), 0) AS DECIMAL(38,2)) AS value
FROM asset_results r
JOIN assets a ON a.row_id = r.row_id
GROUP BY ALL
ORDER BY ALL
