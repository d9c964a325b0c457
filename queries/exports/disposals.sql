-- disposals.csv of exports.md: one row per 处置台账 row, then each 已处置 asset without one.
-- rules: DP1–DP6
-- used by: dashboard/evaluate.py
SELECT asset_id, path, array_to_string(list_sort(violations), ';') AS violations
FROM disposal_checks
WHERE row_in_scope($filters, asset_row, NULL, NULL)
ORDER BY row_id NULLS LAST, asset_id
