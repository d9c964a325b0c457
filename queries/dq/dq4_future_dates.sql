-- DQ4 错项·日期 (verification.md §2): an event date (policy-rules §9's list: 停运, 实际上缴, 实际分红,
-- 盘活, 分配, 收益到账, the disposal steps, 核实, 确权, 发现, 一案一策, 销号) after the ledger's data date
-- ($data_date: its title rows' 截至 date, else the day it was uploaded) — a date that had not
-- happened when the ledger was written.  The data date itself is not after it.  Due and contract
-- dates (合同到期, 约定上缴, 约定分红, 本金到期, 整改时限) are not events.  Every sheet, 已处置 too.
-- rules: DQ4
-- used by: dashboard/dq.py
-- The large sheets in two passes: their late rows found by a scan of the dates alone, and only
-- those rows' texts fetched (as dq3_contradictions.sql: a full fetch of the texts cost more).
WITH dated AS (
    SELECT 'assets' AS sheet_kind, a.source_file, a.source_sheet, a.source_row, a.row_id AS asset_row,
           a.asset_id, a.town, a.village, a.department, unnest([
               {zh: '确权日期', pos: 13, d: a.ownership_date}, {zh: '停运日期', pos: 23, d: a.stop_date},
               {zh: '盘活日期', pos: 38, d: a.revitalised_date}, {zh: '核实日期', pos: 41, d: a.verified_date}]) AS x
    FROM assets a SEMI JOIN (
        SELECT row_id FROM assets
        WHERE ownership_date > $data_date OR stop_date > $data_date OR revitalised_date > $data_date
           OR verified_date > $data_date) late ON late.row_id = a.row_id
    UNION ALL
    SELECT 'income', i.source_file, i.source_sheet, i.source_row, i.asset_row, i.asset_id, NULL, NULL, NULL, unnest([
               {zh: '实际上缴日期', pos: 6, d: i.payment_date}, {zh: '实际分红日期', pos: 8, d: i.dividend_date}])
    FROM income i SEMI JOIN (
        SELECT row_id FROM income WHERE payment_date > $data_date OR dividend_date > $data_date) late
        ON late.row_id = i.row_id
    UNION ALL
    SELECT 'distribution', d.source_file, d.source_sheet, d.source_row, d.asset_row, d.asset_id, d.town, NULL, NULL,
           unnest([
               {zh: '分配日期', pos: 13, d: d.distributed_date}, {zh: '收益到账日期', pos: 14, d: d.income_arrived_date}])
    FROM distribution d SEMI JOIN (
        SELECT row_id FROM distribution WHERE distributed_date > $data_date OR income_arrived_date > $data_date) late
        ON late.row_id = d.row_id
    UNION ALL
    SELECT 'disposals', p.source_file, p.source_sheet, p.source_row, p.asset_row, p.asset_id, NULL, NULL, NULL, unnest([
               {zh: '村申请日期', pos: 6, d: p.village_apply_date}, {zh: '村公示开始', pos: 7, d: p.village_notice_start},
               {zh: '村公示结束', pos: 8, d: p.village_notice_end}, {zh: '镇审核日期', pos: 10, d: p.town_review_date},
               {zh: '审核公示开始', pos: 11, d: p.review_notice_start}, {zh: '审核公示结束', pos: 12, d: p.review_notice_end},
               {zh: '网站公示开始', pos: 13, d: p.web_notice_start}, {zh: '网站公示结束', pos: 14, d: p.web_notice_end},
               {zh: '领导小组批复日期', pos: 15, d: p.approval_date}, {zh: '处置日期', pos: 16, d: p.disposal_date},
               {zh: '收入安排日期', pos: 18, d: p.proceeds_allocated_date}])
    FROM disposals p
    WHERE greatest(p.village_apply_date, p.village_notice_start, p.village_notice_end, p.town_review_date,
                   p.review_notice_start, p.review_notice_end, p.web_notice_start, p.web_notice_end,
                   p.approval_date, p.disposal_date, p.proceeds_allocated_date) > $data_date
    UNION ALL
    SELECT 'problems', q.source_file, q.source_sheet, q.source_row, q.asset_row, q.asset_id, NULL, NULL, NULL, unnest([
               {zh: '发现日期', pos: 7, d: q.found_date}, {zh: '一案一策日期', pos: 9, d: q.plan_date},
               {zh: '销号日期', pos: 11, d: q.signoff_date}])
    FROM problems q
    WHERE q.found_date > $data_date OR q.plan_date > $data_date OR q.signoff_date > $data_date
)
SELECT sheet_kind, source_file, source_sheet, source_row, asset_row, asset_id,
       CAST(town AS VARCHAR) AS town, CAST(village AS VARCHAR) AS village, CAST(department AS VARCHAR) AS department,
       x.zh AS column_name, x.pos AS col_pos, 'DQ4' AS check_id, CAST(x.d AS VARCHAR) AS value,
       x.zh || '（' || CAST(x.d AS VARCHAR) || '）晚于台账数据截至日期（' || CAST($data_date AS VARCHAR)
       || '），填报时尚未发生' AS reason
FROM dated
WHERE x.d > $data_date
