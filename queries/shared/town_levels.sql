-- Warned assets per town over the filtered assets, and the whole (is_total, town NULL):
-- assets and their original value; red- and yellow-warned assets and the money in them;
-- all warned; idle (IDLE) and low-efficiency (LE1–LE4) assets and their value; the share
-- of assets warned; and the towns ranked (1 = most) by red-warned assets then their
-- value (rank), by red-warned assets alone, by their value alone and by the share warned.  The one per-town count:
-- the 总览 cards (the total row) and ranking (sorted by rank there), the heatmap's months, summary.json and
-- the reports' town table, key figures and 季通报 ranking all read it.
-- rules: IDLE, LE1, LE2, LE3, LE4, and the levels of Y01–Y09 and R01–R10
-- used by: pages/overview.py, pages/heatmap.py, dashboard/evaluate.py, dashboard/reports/content.py
-- formats: value=万元, red_value=万元, yellow_value=万元, idle_value=万元, low_value=万元, warned_share=%
WITH towns AS (
    SELECT CASE WHEN GROUPING(coalesce(town, '未填写')) = 0 THEN coalesce(town, '未填写') END AS town,
           count(*) AS assets,
           coalesce(sum(original_value), 0) AS value,
           count(*) FILTER (WHERE level = 'red') AS red,
           coalesce(sum(original_value) FILTER (WHERE level = 'red'), 0) AS red_value,
           count(*) FILTER (WHERE level = 'yellow') AS yellow,
           coalesce(sum(original_value) FILTER (WHERE level = 'yellow'), 0) AS yellow_value,
           count(*) FILTER (WHERE level <> 'none') AS warned,
           count(*) FILTER (WHERE list_contains(flags, 'IDLE')) AS idle,
           coalesce(sum(original_value) FILTER (WHERE list_contains(flags, 'IDLE')), 0) AS idle_value,
           count(*) FILTER (WHERE list_has_any(flags, ['LE1', 'LE2', 'LE3', 'LE4'])) AS low,
           coalesce(sum(original_value) FILTER (WHERE list_has_any(flags, ['LE1', 'LE2', 'LE3', 'LE4'])), 0)
               AS low_value,
           count(*) FILTER (WHERE level <> 'none') / count(*) AS warned_share,
           GROUPING(coalesce(town, '未填写')) = 1 AS is_total
    FROM filtered_assets($filters)
    GROUP BY GROUPING SETS ((coalesce(town, '未填写')), ())
)
SELECT CASE WHEN NOT is_total THEN rank() OVER (PARTITION BY is_total ORDER BY red DESC, red_value DESC) END
           AS rank,
       CASE WHEN NOT is_total THEN rank() OVER (PARTITION BY is_total ORDER BY red DESC) END AS rank_red,
       CASE WHEN NOT is_total THEN rank() OVER (PARTITION BY is_total ORDER BY red_value DESC) END
           AS rank_red_value,
       CASE WHEN NOT is_total THEN rank() OVER (PARTITION BY is_total ORDER BY warned_share DESC) END
           AS rank_share,
       *
FROM towns
ORDER BY is_total, town COLLATE zh
