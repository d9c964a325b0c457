-- Every disposal checked (处置台账 rows, and 已处置 assets missing from it) in the sidebar
-- filters, with the columns of the registration ledger of annex 3 and its violations
-- (empty when the procedure was in order).  A row whose asset is not in the asset
-- ledger shows only when no filter is set.  The 处置与销号 page lists violations first;
-- the reports' annex ($annex_order) keeps the ledger's order: town, village, row.
-- rules: DP1–DP6
-- used by: dashboard/reports/content.py, pages/disposal.py
-- formats: original_value=万元, proceeds=万元
SELECT c.row_id, coalesce(a.town, '未填写') AS town, a.village, c.asset_id, a.asset_name,
       a.category, a.original_value,
       coalesce(d.circumstance, a.disposal_circumstance) AS circumstance, d.method, c.path,
       d.simplified, d.town_review_date, d.review_notice_start, d.approval_date, d.disposal_date,
       d.proceeds, d.proceeds_allocated_date, d.proceeds_project,
       list_sort(c.violations) AS violations, c.facts
FROM filtered_disposals($filters) c
LEFT JOIN assets a ON a.row_id = c.asset_row
LEFT JOIN disposals d ON d.row_id = c.row_id
ORDER BY CASE WHEN NOT $annex_order THEN len(c.violations) = 0 END, a.town COLLATE zh, a.village COLLATE zh, c.row_id NULLS LAST, c.asset_id
