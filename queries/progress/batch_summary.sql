-- 盘活进度: how far the recorded four-batch classes agree with the suggested ones: filtered
-- assets, those with a recorded class, those whose recorded class differs, none recorded.
-- rules: IDLE, LE1–LE4 (the batch they suggest)
-- used by: pages/progress.py
SELECT count(*) AS assets,
       count(batch_recorded) AS recorded,
       count(*) FILTER (WHERE batch_recorded <> batch_suggested) AS differs,
       count(*) FILTER (WHERE batch_recorded IS NULL) AS unrecorded
FROM filtered_assets($filters)
