-- 盘活进度: the four batches (四个一批) — the class the rules suggest against the class the
-- ledger records (NULL = not recorded), filtered assets and their original value.
-- rules: IDLE, LE1–LE4 (the batch they suggest)
-- used by: pages/progress.py
-- formats: value=万元
SELECT batch_suggested, batch_recorded, count(*) AS assets, coalesce(sum(original_value), 0) AS value
FROM filtered_assets($filters)
GROUP BY ALL
ORDER BY ALL
