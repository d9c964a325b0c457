-- The cells DQ1–DQ4 look at, per reporting authority (the denominator of 完整率 = cells filled and
-- valid ÷ cells checked, verification.md §2): in each 资产台账 row the DQ1 columns the ledger has
-- and that apply to the row (filled or not), plus every other cell a check reads when it is
-- filled (资产净值, the dates, the DQ2 columns); in the other sheets the filled event dates and
-- 处置方式; a row rejected for an empty required cell counts its six required cells.  Grouped by
-- the asset's 所在镇 / 所在嘎查村 / 主管部门 (as dq/dq_found.sql), from which quality/ finds the
-- authority and the user's scope; dashboard/dq.py keeps it as the TEMP table dq_checked_cells.
-- rules: DQ1–DQ4
-- used by: dashboard/dq.py
WITH have AS (SELECT coalesce(list(column_name), []) AS cols FROM loaded_columns WHERE sheet = 'assets'),
asset_cells AS (
    SELECT a.row_id, a.town, a.village, trim(a.department) AS department,
           list_contains(h.cols, 'category')::INT + list_contains(h.cols, 'town')::INT
           + (list_contains(h.cols, 'village') AND a.owner_level IN ('嘎查村', '农户'))::INT
           + list_contains(h.cols, 'build_year')::INT + list_contains(h.cols, 'funding_source')::INT
           + list_contains(h.cols, 'original_value')::INT + list_contains(h.cols, 'ownership_status')::INT
           + list_contains(h.cols, 'owner_level')::INT + list_contains(h.cols, 'platform')::INT
           + list_contains(h.cols, 'department')::INT + list_contains(h.cols, 'verified_date')::INT
           + (a.category = '经营性' AND list_contains(h.cols, 'operating_mode'))::INT
           + (a.category = '经营性' AND list_contains(h.cols, 'operating_status'))::INT
           + (a.net_value IS NOT NULL)::INT + (a.ownership_date IS NOT NULL)::INT
           + (a.stop_date IS NOT NULL)::INT + (a.revitalised_date IS NOT NULL)::INT
           + (a.contract_end IS NOT NULL)::INT
           + (a.operating_mode IS NOT NULL AND a.category IS DISTINCT FROM '经营性')::INT
           + (a.operating_status IS NOT NULL AND a.category IS DISTINCT FROM '经营性')::INT
           + (a.renewed IS NOT NULL)::INT + (a.disposal_status IS NOT NULL)::INT
           + (a.revitalisation_path IS NOT NULL)::INT + (a.batch_recorded IS NOT NULL)::INT AS cells
    FROM assets a, have h
),
other_cells AS (
    SELECT asset_row, NULL AS town,
           (payment_date IS NOT NULL)::INT + (dividend_date IS NOT NULL)::INT AS cells FROM income
    UNION ALL
    SELECT asset_row, town, (distributed_date IS NOT NULL)::INT + (income_arrived_date IS NOT NULL)::INT
    FROM distribution
    UNION ALL
    SELECT asset_row, NULL, (method IS NOT NULL)::INT + (village_apply_date IS NOT NULL)::INT
           + (village_notice_start IS NOT NULL)::INT + (village_notice_end IS NOT NULL)::INT
           + (town_review_date IS NOT NULL)::INT + (review_notice_start IS NOT NULL)::INT
           + (review_notice_end IS NOT NULL)::INT + (web_notice_start IS NOT NULL)::INT
           + (web_notice_end IS NOT NULL)::INT + (approval_date IS NOT NULL)::INT
           + (disposal_date IS NOT NULL)::INT + (proceeds_allocated_date IS NOT NULL)::INT
    FROM disposals
    UNION ALL
    SELECT asset_row, NULL, (found_date IS NOT NULL)::INT + (plan_date IS NOT NULL)::INT
           + (signoff_date IS NOT NULL)::INT
    FROM problems
),
placed AS (
    SELECT town, village, department, cells FROM asset_cells
    UNION ALL
    SELECT coalesce(a.town, o.town), a.village, trim(a.department), o.cells
    FROM other_cells o LEFT JOIN assets a ON a.row_id = o.asset_row
    WHERE o.cells > 0
    UNION ALL
    SELECT town, NULL, trim(department), 6
    FROM (SELECT DISTINCT source_file, source_sheet, source_row, town, department FROM dq_empty_required)
)
SELECT town, village, department, sum(cells)::BIGINT AS cells
FROM placed
GROUP BY ALL
