-- DQ3 错项·矛盾 (verification.md §2): facts of one 资产台账 row that cannot all be true, the finding
-- on the first column the fact names: 资产净值 > 资产原值; 资产原值 ≤ 0; 建成年度 after the year of
-- the data date ($data_date: the title rows' 截至 date, else the upload day); 确权日期, 停运日期 or
-- 盘活日期 before 1 January of 建成年度; 合同到期日期 before 合同起始日期; 未确权 with a 确权日期 (on
-- 确权日期); 运营状况 filled and not 停运 with a 停运日期 and no 盘活日期 (a running asset that stopped
-- and was never recorded as revitalised; an empty 运营状况 is DQ1's).  Every row, 已处置 too.
-- rules: DQ3
-- used by: dashboard/dq.py
-- Two passes: the rows are found by a scan of the compared columns alone, and only those rows'
-- texts are fetched and their reasons built (fetching a million rows' file, sheet and place
-- texts to keep a few thousand cost more than the tests; at 1M assets 0.067 → 0.039 s).
WITH contradicting AS (
    SELECT a.row_id FROM assets a
    WHERE a.net_value > a.original_value OR a.original_value <= 0 OR a.build_year > year($data_date)
       OR year(least(a.ownership_date, a.stop_date, a.revitalised_date)) < a.build_year   -- one year() a row
       OR a.contract_end < a.contract_start
       OR (a.ownership_status = '未确权' AND a.ownership_date IS NOT NULL)
       OR (a.operating_status <> '停运' AND a.stop_date IS NOT NULL AND a.revitalised_date IS NULL)
),
facts AS (
    SELECT a.row_id, a.source_file, a.source_sheet, a.source_row, a.asset_id, a.town, a.village, a.department,
           [x FOR x IN [
        {zh: '资产净值', pos: 11, value: CAST(a.net_value AS VARCHAR),
         bad: a.net_value > a.original_value,
         why: '资产净值（' || CAST(a.net_value AS VARCHAR) || '元）大于资产原值（' || CAST(a.original_value AS VARCHAR) || '元）'},
        {zh: '资产原值', pos: 10, value: CAST(a.original_value AS VARCHAR),
         bad: a.original_value <= 0, why: '资产原值不大于0'},
        {zh: '建成年度', pos: 8, value: CAST(a.build_year AS VARCHAR),
         bad: a.build_year > year($data_date),
         why: '建成年度' || CAST(a.build_year AS VARCHAR) || '年晚于数据截至日期所在年度（'
              || CAST(year($data_date) AS VARCHAR) || '年）'},
        {zh: '确权日期', pos: 13, value: CAST(a.ownership_date AS VARCHAR),
         bad: year(a.ownership_date) < a.build_year,
         why: '确权日期早于建成年度（' || CAST(a.build_year AS VARCHAR) || '年）1月1日'},
        {zh: '停运日期', pos: 23, value: CAST(a.stop_date AS VARCHAR),
         bad: year(a.stop_date) < a.build_year,
         why: '停运日期早于建成年度（' || CAST(a.build_year AS VARCHAR) || '年）1月1日'},
        {zh: '盘活日期', pos: 38, value: CAST(a.revitalised_date AS VARCHAR),
         bad: year(a.revitalised_date) < a.build_year,
         why: '盘活日期早于建成年度（' || CAST(a.build_year AS VARCHAR) || '年）1月1日'},
        {zh: '合同到期日期', pos: 28, value: CAST(a.contract_end AS VARCHAR),
         bad: a.contract_end < a.contract_start,
         why: '合同到期日期早于合同起始日期（' || CAST(a.contract_start AS VARCHAR) || '）'},
        {zh: '确权日期', pos: 13, value: CAST(a.ownership_date AS VARCHAR),
         bad: a.ownership_status = '未确权' AND a.ownership_date IS NOT NULL,
         why: '确权状态为未确权，却填有确权日期'},
        {zh: '运营状况', pos: 22, value: a.operating_status,
         bad: a.operating_status <> '停运' AND a.stop_date IS NOT NULL AND a.revitalised_date IS NULL,
         why: '运营状况为“' || a.operating_status || '”，却填有停运日期（' || CAST(a.stop_date AS VARCHAR)
              || '）且无盘活日期'}]
        IF coalesce(x.bad, false)] AS found
    FROM assets a SEMI JOIN contradicting c ON c.row_id = a.row_id
)
SELECT 'assets' AS sheet_kind, f.source_file, f.source_sheet, f.source_row, f.row_id AS asset_row, f.asset_id,
       f.town, f.village, f.department,
       x.zh AS column_name, x.pos AS col_pos, 'DQ3' AS check_id, x.value, x.why AS reason
FROM facts f, LATERAL (SELECT unnest(f.found) AS x)
