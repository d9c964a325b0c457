-- distribution.csv of exports.md: one row per 收益分配 row.
-- rules: D1–D6
-- used by: dashboard/evaluate.py
SELECT sheet_row, asset_id, town, village, year, amount AS amount_yuan,
       array_to_string(list_sort(failed), ';') AS failed
FROM distribution_checks
WHERE row_in_scope($filters, asset_row, town, village)
ORDER BY row_id
