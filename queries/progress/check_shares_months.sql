-- progress/check_shares per saved month, from the months' summaries (month_summaries: one
-- monthly/month_summary per month, with its `month`), in the scope and sidebar filters: the
-- in-scope assets checked and those passing MG1 (confirmed) and MG3 (on_platform) per town and
-- month and the whole (is_total, town NULL), with the shares.  Equal to progress/check_shares of
-- each month evaluated at its reference date.
-- rules: MG1, MG3 (milestone measures confirmed, on_platform)
-- used by: dashboard/month_summary.py (盘活进度's month series, through Context.history)
-- formats: confirmed_share=%, platform_share=%
WITH s AS (
    SELECT * FROM month_summaries
    WHERE asset_in_filters($filters, town, village, department, category, NULL, NULL, NULL,
                           level, batch_suggested)
)
SELECT month,
       CASE WHEN GROUPING(town) = 0 THEN town END AS town,
       CAST(coalesce(sum(checked), 0) AS BIGINT) AS checked,
       CAST(coalesce(sum(confirmed), 0) AS BIGINT) AS confirmed,
       CAST(coalesce(sum(on_platform), 0) AS BIGINT) AS on_platform,
       sum(confirmed) / nullif(sum(checked), 0) AS confirmed_share,
       sum(on_platform) / nullif(sum(checked), 0) AS platform_share,
       GROUPING(town) = 1 AS is_total
FROM s
GROUP BY GROUPING SETS ((month, town), (month))
ORDER BY month, is_total, town COLLATE zh
