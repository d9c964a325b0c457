-- 总览: the filtered assets by category (经营性 / 公益性 / 到户类), count and original value.
-- rules: Y01–Y09, R01–R10 (levels)
-- used by: pages/overview.py
-- formats: value=万元
SELECT coalesce(category, '未填写') AS category, count(*) AS assets,
       coalesce(sum(original_value), 0) AS value,
       count(*) FILTER (WHERE level = 'red') AS red,
       count(*) FILTER (WHERE level = 'yellow') AS yellow
FROM filtered_assets($filters)
GROUP BY 1
ORDER BY assets DESC, category COLLATE zh
