-- DQ2 错项·取值 (verification.md §2): a value the importer kept as written (按原文保留) because it is
-- none of the column's list in ledger-template.md nor a spelling the importer folds into one
-- (资产类别, 确权状态, 产权归属, 纳入管理平台, 运营方式, 运营状况, 是否续签, 处置状态, 盘活路径, 四个一批;
-- 处置台账's 处置方式).  Only the importer knows a value was not folded: it marks each row's such
-- cells in dq_kept (dashboard/ingest/sheet.py KEPT_COLUMN); the folding itself is template.py's.
-- rules: DQ2
-- used by: dashboard/dq.py
WITH kept AS (
    SELECT a.*, unnest(string_split(a.dq_kept, ';')) AS col
    FROM assets a WHERE a.dq_kept IS NOT NULL
),
asset_cells AS (
    SELECT 'assets' AS sheet_kind, k.source_file, k.source_sheet, k.source_row, k.row_id AS asset_row,
           k.asset_id, k.town, k.village, k.department, k.col,
           CASE k.col WHEN 'category' THEN k.category WHEN 'ownership_status' THEN k.ownership_status
                WHEN 'owner_level' THEN k.owner_level WHEN 'platform' THEN k.platform
                WHEN 'operating_mode' THEN k.operating_mode WHEN 'operating_status' THEN k.operating_status
                WHEN 'renewed' THEN k.renewed WHEN 'disposal_status' THEN k.disposal_status
                WHEN 'revitalisation_path' THEN k.revitalisation_path WHEN 'batch_recorded' THEN k.batch_recorded
           END AS value
    FROM kept k
),
disposal_cells AS (
    SELECT 'disposals' AS sheet_kind, d.source_file, d.source_sheet, d.source_row, d.asset_row, d.asset_id,
           NULL AS town, NULL AS village, NULL AS department, 'method' AS col, d.method AS value
    FROM disposals d WHERE d.dq_kept IS NOT NULL AND list_contains(string_split(d.dq_kept, ';'), 'method')
),
lists(col, zh, pos, allowed) AS (VALUES
    ('category', '资产类别', 4, '经营性/公益性/到户类'),
    ('ownership_status', '确权状态', 12, '已确权/未确权'),
    ('owner_level', '产权归属', 14, '旗/镇/嘎查村/农户'),
    ('platform', '纳入管理平台', 16, '国有资产平台/三资平台/否'),
    ('operating_mode', '运营方式', 20, '自主运营/联建联营/委托经营/出租经营/入股经营'),
    ('operating_status', '运营状况', 22, '良好/一般/不正常/停运'),
    ('renewed', '是否续签', 29, '是/否'),
    ('disposal_status', '处置状态', 37, '未处置/处置中/已处置'),
    ('revitalisation_path', '盘活路径', 39, '升级改造/招强引优/转变用途/灵活重组/瘦身止损/优化配置'),
    ('batch_recorded', '四个一批', 40, '巩固/提升/盘活/另起炉灶'),
    ('method', '处置方式', 3, '拍卖/转让/转产/报停/报损/报废/拆除/核销'))
SELECT c.sheet_kind, c.source_file, c.source_sheet, c.source_row, c.asset_row, c.asset_id,
       CAST(c.town AS VARCHAR) AS town, CAST(c.village AS VARCHAR) AS village, CAST(c.department AS VARCHAR) AS department,
       l.zh AS column_name, l.pos AS col_pos, 'DQ2' AS check_id, c.value,
       l.zh || '“' || c.value || '”不在可选值（' || l.allowed || '）中，系统按原文保留' AS reason
FROM (SELECT * FROM asset_cells UNION ALL SELECT * FROM disposal_cells) c
JOIN lists l ON l.col = c.col
