-- The DQ1–DQ4 findings of the whole ledger (verification.md §2), one row per (sheet, row, column,
-- check), with the place of the row's asset (所在镇, 所在嘎查村, 主管部门 as written) from which
-- quality/ finds its reporting authority and the user's scope; a row linked to no asset (a
-- rejected row, an orphan) goes by its own 所在镇 / 主管部门.  Reads the four checks' tables, made
-- just before by dashboard/dq.py, which keeps this as the TEMP table dq_found.
-- rules: DQ1–DQ4
-- used by: dashboard/dq.py
WITH found AS (
    SELECT * FROM dq1_missing UNION ALL SELECT * FROM dq2_values
    UNION ALL SELECT * FROM dq3_contradictions UNION ALL SELECT * FROM dq4_future_dates
)
-- A finding of 资产台账 carries its row's place already; the other sheets' take their asset's.
SELECT f.town, f.village, trim(f.department) AS department, f.sheet_kind, f.source_sheet AS sheet, f.source_file,
       f.source_row AS row, f.asset_id, f.column_name, f.col_pos, f.check_id,
       CASE f.check_id WHEN 'DQ1' THEN '漏项' WHEN 'DQ2' THEN '错项·取值' WHEN 'DQ3' THEN '错项·矛盾'
            ELSE '错项·日期' END AS check_name,
       f.value, f.reason
FROM found f WHERE f.sheet_kind = 'assets'
UNION ALL
SELECT coalesce(a.town, f.town), a.village, trim(coalesce(a.department, f.department)),
       f.sheet_kind, f.source_sheet, f.source_file, f.source_row, f.asset_id, f.column_name, f.col_pos, f.check_id,
       CASE f.check_id WHEN 'DQ1' THEN '漏项' WHEN 'DQ2' THEN '错项·取值' WHEN 'DQ3' THEN '错项·矛盾'
            ELSE '错项·日期' END,
       f.value, f.reason
FROM found f LEFT JOIN assets a ON a.row_id = f.asset_row
WHERE f.sheet_kind <> 'assets'
