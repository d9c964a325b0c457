-- 盘活进度: the six revitalisation paths ($paths, in the work plan's order): filtered assets
-- on each path, their original value, and those revitalised by $as_of (盘活日期 on or before it).
-- rules: M5
-- used by: pages/progress.py
-- formats: value=万元, revitalised_value=万元, revitalised_share=%
WITH on_path AS (
    SELECT a.revitalisation_path, a.revitalised_date <= $as_of AS revitalised, f.original_value
    FROM filtered_assets($filters) f
    JOIN assets a ON a.row_id = f.row_id
    WHERE a.revitalisation_path IS NOT NULL
)
SELECT p.path AS revitalisation_path, count(x.revitalisation_path) AS assets,
       coalesce(sum(x.original_value), 0) AS value,
       count(*) FILTER (WHERE x.revitalised) AS revitalised,
       coalesce(sum(x.original_value) FILTER (WHERE x.revitalised), 0) AS revitalised_value,
       count(*) FILTER (WHERE x.revitalised) / nullif(count(x.revitalisation_path), 0) AS revitalised_share
FROM unnest($paths) WITH ORDINALITY AS p(path, ord)
LEFT JOIN on_path x ON x.revitalisation_path = p.path
GROUP BY p.path, p.ord
ORDER BY p.ord
