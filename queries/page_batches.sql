-- 盘活进度: the four batches (四个一批) — the class the rules suggest against the class the
-- ledger records (NULL = not recorded), filtered assets and their original value.
SELECT batch_suggested, batch_recorded, count(*) AS assets, coalesce(sum(original_value), 0) AS value
FROM app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches)
GROUP BY ALL
ORDER BY ALL
