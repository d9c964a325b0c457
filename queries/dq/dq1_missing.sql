-- DQ1 漏项 (verification.md §2): an empty cell in a column the 资产台账 has (loaded_columns) and the
-- rules need — 资产类别, 所在镇, 建成年度, 资产原值, 所在嘎查村 when 产权归属 is 嘎查村 or 农户, 资金来源,
-- 确权状态, 产权归属, 纳入管理平台, 主管部门, 核实日期; for 经营性 also 运营方式 and 运营状况 — on every
-- row, 已处置 too; and the rows the importer rejected for an empty required cell (资产编号, 资产名称,
-- 资产类别, 所在镇, 建成年度, 资产原值: dq_empty_required, made by model.load_tables), which keep
-- their rejection and are listed here too.  One row per (row, column).
-- rules: DQ1
-- used by: dashboard/dq.py
-- Each column is its own filtered scan (a million rows: one NULL test a column, no per-row lists).
WITH have AS (
    SELECT
           coalesce(bool_or(column_name = 'category'), false) AS category,
           coalesce(bool_or(column_name = 'town'), false) AS town,
           coalesce(bool_or(column_name = 'village'), false) AS village,
           coalesce(bool_or(column_name = 'build_year'), false) AS build_year,
           coalesce(bool_or(column_name = 'funding_source'), false) AS funding_source,
           coalesce(bool_or(column_name = 'original_value'), false) AS original_value,
           coalesce(bool_or(column_name = 'ownership_status'), false) AS ownership_status,
           coalesce(bool_or(column_name = 'owner_level'), false) AS owner_level,
           coalesce(bool_or(column_name = 'platform'), false) AS platform,
           coalesce(bool_or(column_name = 'department'), false) AS department,
           coalesce(bool_or(column_name = 'operating_mode'), false) AS operating_mode,
           coalesce(bool_or(column_name = 'operating_status'), false) AS operating_status,
           coalesce(bool_or(column_name = 'verified_date'), false) AS verified_date
    FROM loaded_columns WHERE sheet = 'assets'
),
missing(column_name, col_pos, reason, source_file, source_sheet, source_row, asset_row, asset_id, town, village,
        department) AS (
SELECT '资产类别', 4, '资产类别未填写', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.category AND a.category IS NULL
UNION ALL
SELECT '所在镇', 6, '所在镇未填写', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.town AND a.town IS NULL
UNION ALL
SELECT '所在嘎查村', 7, '所在嘎查村未填写（产权归属为嘎查村或农户）', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.village AND a.village IS NULL AND a.owner_level IN ('嘎查村', '农户')
UNION ALL
SELECT '建成年度', 8, '建成年度未填写', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.build_year AND a.build_year IS NULL
UNION ALL
SELECT '资金来源', 9, '资金来源未填写', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.funding_source AND a.funding_source IS NULL
UNION ALL
SELECT '资产原值', 10, '资产原值未填写', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.original_value AND a.original_value IS NULL
UNION ALL
SELECT '确权状态', 12, '确权状态未填写', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.ownership_status AND a.ownership_status IS NULL
UNION ALL
SELECT '产权归属', 14, '产权归属未填写', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.owner_level AND a.owner_level IS NULL
UNION ALL
SELECT '纳入管理平台', 16, '纳入管理平台未填写', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.platform AND a.platform IS NULL
UNION ALL
SELECT '主管部门', 17, '主管部门未填写', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.department AND a.department IS NULL
UNION ALL
SELECT '运营方式', 20, '运营方式未填写（经营性资产）', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.operating_mode AND a.operating_mode IS NULL AND a.category = '经营性'
UNION ALL
SELECT '运营状况', 22, '运营状况未填写（经营性资产）', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.operating_status AND a.operating_status IS NULL AND a.category = '经营性'
UNION ALL
SELECT '核实日期', 41, '核实日期未填写', a.source_file, a.source_sheet, a.source_row, a.row_id, a.asset_id,
       a.town, a.village, a.department
FROM assets a, have h WHERE h.verified_date AND a.verified_date IS NULL
)
SELECT 'assets' AS sheet_kind, source_file, source_sheet, source_row, asset_row, asset_id, town, village,
       department, column_name, col_pos, 'DQ1' AS check_id, '' AS value, reason
FROM missing
UNION ALL
SELECT 'assets', r.source_file, r.source_sheet, r.source_row, NULL, r.asset_id, r.town, NULL, r.department,
       CASE r.column_name WHEN 'asset_id' THEN '资产编号' WHEN 'asset_name' THEN '资产名称'
            WHEN 'category' THEN '资产类别' WHEN 'town' THEN '所在镇' WHEN 'build_year' THEN '建成年度'
            WHEN 'original_value' THEN '资产原值' ELSE r.column_name END,
       CASE r.column_name WHEN 'asset_id' THEN 1 WHEN 'asset_name' THEN 3 WHEN 'category' THEN 4
            WHEN 'town' THEN 6 WHEN 'build_year' THEN 8 WHEN 'original_value' THEN 10 ELSE 99 END,
       'DQ1', '',
       '必填项' || CASE r.column_name WHEN 'asset_id' THEN '资产编号' WHEN 'asset_name' THEN '资产名称'
            WHEN 'category' THEN '资产类别' WHEN 'town' THEN '所在镇' WHEN 'build_year' THEN '建成年度'
            WHEN 'original_value' THEN '资产原值' ELSE r.column_name END || '未填写，本行未载入（见导入问题清单）'
FROM dq_empty_required r
