-- The cells DQ1–DQ4 look at, per reporting authority (the denominator of 完整率 = cells filled and
-- valid ÷ cells checked, verification.md §2): in each 资产台账 row the DQ1 columns the ledger has
-- and that apply to the row (filled or not), plus every other cell a check reads when it is
-- filled (资产净值, the dates, the DQ2 columns); in the other sheets the filled event dates and
-- 处置方式; a row rejected for an empty required cell counts its six required cells.  Grouped by
-- the asset's 所在镇 / 所在嘎查村 / 主管部门 (as dq/dq_found.sql), from which quality/ finds the
-- authority and the user's scope; dashboard/dq.py keeps it as the TEMP table dq_checked_cells.
-- rules: DQ1–DQ4
-- used by: dashboard/dq.py
-- Counted per group (a million rows: one aggregation, the loaded-column flags applied to the sums).
WITH have AS (
    SELECT
           coalesce(bool_or(column_name = 'category'), false)::INT AS category,
           coalesce(bool_or(column_name = 'town'), false)::INT AS town,
           coalesce(bool_or(column_name = 'build_year'), false)::INT AS build_year,
           coalesce(bool_or(column_name = 'funding_source'), false)::INT AS funding_source,
           coalesce(bool_or(column_name = 'original_value'), false)::INT AS original_value,
           coalesce(bool_or(column_name = 'ownership_status'), false)::INT AS ownership_status,
           coalesce(bool_or(column_name = 'owner_level'), false)::INT AS owner_level,
           coalesce(bool_or(column_name = 'platform'), false)::INT AS platform,
           coalesce(bool_or(column_name = 'department'), false)::INT AS department,
           coalesce(bool_or(column_name = 'verified_date'), false)::INT AS verified_date,
           coalesce(bool_or(column_name = 'village'), false)::INT AS village,
           coalesce(bool_or(column_name = 'operating_mode'), false)::INT AS operating_mode,
           coalesce(bool_or(column_name = 'operating_status'), false)::INT AS operating_status
    FROM loaded_columns WHERE sheet = 'assets'
),
groups AS (
    SELECT a.town, a.village, a.department, count(*) AS n,
           count(*) FILTER (a.owner_level IN ('嘎查村', '农户')) AS village_rows,
           count(*) FILTER (a.category = '经营性') AS operating_rows,
           count(a.net_value) + count(a.ownership_date) + count(a.stop_date) + count(a.revitalised_date)
           + count(a.contract_end) + count(a.renewed) + count(a.disposal_status) + count(a.revitalisation_path)
           + count(a.batch_recorded) AS filled,
           count(a.operating_mode) FILTER (a.category IS DISTINCT FROM '经营性')
           + count(a.operating_status) FILTER (a.category IS DISTINCT FROM '经营性') AS filled_other
    FROM assets a
    GROUP BY ALL
),
asset_cells AS (
    SELECT g.town, g.village, g.department,
           g.n * (h.category + h.town + h.build_year + h.funding_source + h.original_value + h.ownership_status + h.owner_level + h.platform + h.department + h.verified_date)
           + g.village_rows * h.village + g.operating_rows * (h.operating_mode + h.operating_status)
           + g.filled + g.filled_other AS cells
    FROM groups g, have h
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
    SELECT coalesce(a.town, o.town), a.village, a.department, o.cells
    FROM other_cells o LEFT JOIN assets a ON a.row_id = o.asset_row
    WHERE o.cells > 0
    UNION ALL
    SELECT town, NULL, department, 6
    FROM (SELECT DISTINCT source_file, source_sheet, source_row, town, department FROM dq_empty_required)
)
SELECT town, village, trim(department) AS department, sum(cells)::BIGINT AS cells
FROM placed
GROUP BY ALL
