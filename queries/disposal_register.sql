-- Every disposal checked (处置台账 rows, and 已处置 assets missing from it) in the sidebar
-- filters, with the columns of the registration ledger of annex 3 and its violations
-- (empty when the procedure was in order).  A row whose asset is not in the asset
-- ledger shows only when no filter is set.  The 处置与销号 page lists violations first;
-- the reports' annex ($annex_order) keeps the ledger's order: town, village, row.
SELECT c.row_id, coalesce(a.town, '未填写') AS town, a.village, c.asset_id, a.asset_name,
       a.category, a.original_value,
       coalesce(d.circumstance, a.disposal_circumstance) AS circumstance, d.method, c.path,
       d.simplified, d.town_review_date, d.review_notice_start, d.approval_date, d.disposal_date,
       d.proceeds, d.proceeds_allocated_date, d.proceeds_project,
       list_sort(c.violations) AS violations, c.facts
FROM disposal_checks c
LEFT JOIN assets a ON a.row_id = c.asset_row
LEFT JOIN disposals d ON d.row_id = c.row_id
WHERE CASE WHEN c.asset_row IS NOT NULL
           THEN c.asset_row IN (SELECT row_id FROM app_filtered($towns, $villages, $categories, $types,
                                $funds, $year_from, $year_to, $levels, $batches))
           ELSE app_unfiltered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches) END
ORDER BY CASE WHEN NOT $annex_order THEN len(c.violations) = 0 END, a.town COLLATE zh, a.village COLLATE zh, c.row_id NULLS LAST, c.asset_id
