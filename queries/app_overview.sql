-- 总览 cards for the filtered assets: how many, their original value, red / yellow
-- warned assets and the money in them, idle and low-efficiency assets.  One row.
SELECT count(*) AS assets,
       coalesce(sum(original_value), 0) AS value,
       count(*) FILTER (WHERE level = 'red') AS red,
       coalesce(sum(original_value) FILTER (WHERE level = 'red'), 0) AS red_value,
       count(*) FILTER (WHERE level = 'yellow') AS yellow,
       coalesce(sum(original_value) FILTER (WHERE level = 'yellow'), 0) AS yellow_value,
       count(*) FILTER (WHERE list_contains(flags, 'IDLE')) AS idle,
       coalesce(sum(original_value) FILTER (WHERE list_contains(flags, 'IDLE')), 0) AS idle_value,
       count(*) FILTER (WHERE list_has_any(flags, ['LE1', 'LE2', 'LE3', 'LE4'])) AS low,
       coalesce(sum(original_value) FILTER (WHERE list_has_any(flags, ['LE1', 'LE2', 'LE3', 'LE4'])), 0)
           AS low_value
FROM app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches)
