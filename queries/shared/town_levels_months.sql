-- Warned assets per town and month, from the saved months' summaries (month_summaries:
-- one monthly/month_summary per month, with its `month`), in the scope and sidebar filters:
-- the columns of shared/town_levels the heatmap's month history reads — assets and their
-- value, red- and yellow-warned assets and the money in them, all warned — and the whole
-- (is_total, town NULL).  Equal to shared/town_levels of each month evaluated at its
-- reference date (tests/test_month_in_place.py).
-- rules: the levels of Y01–Y09 and R01–R10
-- used by: dashboard/month_summary.py (the heatmap's month history, through Context.history)
WITH s AS (
    SELECT * FROM month_summaries
    -- no type, funding source or build year: a history filtered by them is not read from here
    WHERE asset_in_filters($filters, town, village, department, category, NULL, NULL, NULL,
                           level, batch_suggested)
)
SELECT month,
       CASE WHEN GROUPING(town) = 0 THEN town END AS town,
       CAST(sum(assets) AS BIGINT) AS assets,
       coalesce(sum(value), 0) AS value,
       CAST(coalesce(sum(assets) FILTER (WHERE level = 'red'), 0) AS BIGINT) AS red,
       coalesce(sum(value) FILTER (WHERE level = 'red'), 0) AS red_value,
       CAST(coalesce(sum(assets) FILTER (WHERE level = 'yellow'), 0) AS BIGINT) AS yellow,
       coalesce(sum(value) FILTER (WHERE level = 'yellow'), 0) AS yellow_value,
       CAST(coalesce(sum(assets) FILTER (WHERE level <> 'none'), 0) AS BIGINT) AS warned,
       GROUPING(town) = 1 AS is_total
FROM s
GROUP BY GROUPING SETS ((month, town), (month))
ORDER BY month, is_total, town COLLATE zh
