-- Every disposal checked (处置台账 rows, and 已处置 assets missing from it) with what the
-- registration ledger of annex 3 shows; violations empty when the procedure was in order.
SELECT c.row_id, coalesce(a.town, '未填写') AS town, a.village, c.asset_id, a.asset_name,
       a.category, a.original_value,
       coalesce(d.circumstance, a.disposal_circumstance) AS circumstance, d.method, c.path,
       d.simplified, d.town_review_date, d.review_notice_start, d.approval_date, d.disposal_date,
       d.proceeds, d.proceeds_allocated_date, d.proceeds_project,
       list_sort(c.violations) AS violations, c.facts
FROM disposal_checks c
LEFT JOIN assets a ON a.asset_id = c.asset_id
LEFT JOIN disposals d ON d.row_id = c.row_id
ORDER BY a.town COLLATE zh, a.village COLLATE zh, c.row_id NULLS LAST, c.asset_id
