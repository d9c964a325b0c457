-- 总览: the filtered assets by category (经营性 / 公益性 / 到户类), count and original value.
SELECT coalesce(category, '未填写') AS category, count(*) AS assets,
       coalesce(sum(original_value), 0) AS value,
       count(*) FILTER (WHERE level = 'red') AS red,
       count(*) FILTER (WHERE level = 'yellow') AS yellow
FROM app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches)
GROUP BY 1
ORDER BY assets DESC, category COLLATE zh
