-- 数据质量: the DQ1–DQ4 findings in the user's scope by sheet and column (which columns the
-- authorities leave empty or fill wrongly most), in the sheet's column order.
-- rules: DQ1–DQ4
-- used by: dashboard/dq.py (the 数据质量 page)
SELECT f.sheet_kind, f.column_name AS "column",
       count(*) FILTER (f.check_id = 'DQ1') AS dq1, count(*) FILTER (f.check_id = 'DQ2') AS dq2,
       count(*) FILTER (f.check_id = 'DQ3') AS dq3, count(*) FILTER (f.check_id = 'DQ4') AS dq4,
       count(*) AS findings
FROM dq_found f
WHERE NOT scoped($filters) OR in_scope($filters, f.town, f.village, f.department)
GROUP BY f.sheet_kind, f.column_name
ORDER BY list_position(['assets', 'income', 'distribution', 'disposals', 'problems'], f.sheet_kind),
         min(f.col_pos), f.column_name
