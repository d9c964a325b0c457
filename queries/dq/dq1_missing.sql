-- DQ1 漏项 (verification.md §2): an empty cell in a column the 资产台账 has (loaded_columns) and the
-- rules need — 资产类别, 所在镇, 建成年度, 资产原值, 所在嘎查村 when 产权归属 is 嘎查村 or 农户, 资金来源,
-- 确权状态, 产权归属, 纳入管理平台, 主管部门, 核实日期; for 经营性 also 运营方式 and 运营状况 — on every
-- row, 已处置 too; and the rows the importer rejected for an empty required cell (资产编号, 资产名称,
-- 资产类别, 所在镇, 建成年度, 资产原值: dq_empty_required, made by model.load_tables), which keep
-- their rejection and are listed here too.  One row per (row, column).
-- rules: DQ1
-- used by: dashboard/dq.py
WITH have AS (SELECT coalesce(list(column_name), []) AS cols FROM loaded_columns WHERE sheet = 'assets'),
checked AS (
    SELECT a.row_id, a.source_file, a.source_sheet, a.source_row, a.asset_id,
           [x FOR x IN [
               {col: 'category', zh: '资产类别', pos: 4, miss: a.category IS NULL},
               {col: 'town', zh: '所在镇', pos: 6, miss: a.town IS NULL},
               {col: 'village', zh: '所在嘎查村', pos: 7,
                miss: a.village IS NULL AND a.owner_level IN ('嘎查村', '农户')},
               {col: 'build_year', zh: '建成年度', pos: 8, miss: a.build_year IS NULL},
               {col: 'funding_source', zh: '资金来源', pos: 9, miss: a.funding_source IS NULL},
               {col: 'original_value', zh: '资产原值', pos: 10, miss: a.original_value IS NULL},
               {col: 'ownership_status', zh: '确权状态', pos: 12, miss: a.ownership_status IS NULL},
               {col: 'owner_level', zh: '产权归属', pos: 14, miss: a.owner_level IS NULL},
               {col: 'platform', zh: '纳入管理平台', pos: 16, miss: a.platform IS NULL},
               {col: 'department', zh: '主管部门', pos: 17, miss: a.department IS NULL},
               {col: 'operating_mode', zh: '运营方式', pos: 20,
                miss: a.operating_mode IS NULL AND a.category = '经营性'},
               {col: 'operating_status', zh: '运营状况', pos: 22,
                miss: a.operating_status IS NULL AND a.category = '经营性'},
               {col: 'verified_date', zh: '核实日期', pos: 41, miss: a.verified_date IS NULL}]
            IF x.miss AND list_contains(h.cols, x.col)] AS missing
    FROM assets a, have h
    WHERE a.category IS NULL OR a.town IS NULL OR a.build_year IS NULL OR a.original_value IS NULL
       OR (a.village IS NULL AND a.owner_level IN ('嘎查村', '农户')) OR a.funding_source IS NULL
       OR a.ownership_status IS NULL OR a.owner_level IS NULL OR a.platform IS NULL
       OR a.department IS NULL OR a.verified_date IS NULL
       OR (a.category = '经营性' AND (a.operating_mode IS NULL OR a.operating_status IS NULL))
)
SELECT 'assets' AS sheet_kind, c.source_file, c.source_sheet, c.source_row, c.row_id AS asset_row,
       c.asset_id, CAST(NULL AS VARCHAR) AS town, CAST(NULL AS VARCHAR) AS department,
       m.zh AS column_name, m.pos AS col_pos, 'DQ1' AS check_id, '' AS value,
       m.zh || '未填写' || CASE m.col WHEN 'village' THEN '（产权归属为嘎查村或农户）'
                                  WHEN 'operating_mode' THEN '（经营性资产）'
                                  WHEN 'operating_status' THEN '（经营性资产）' ELSE '' END AS reason
FROM checked c, LATERAL (SELECT unnest(c.missing) AS m)
UNION ALL
SELECT 'assets', r.source_file, r.source_sheet, r.source_row, NULL, r.asset_id, r.town, r.department,
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
