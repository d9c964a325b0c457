-- 收益与分配: the 收益分配 rows in the sidebar filters (years up to as_of's; see
-- filtered_distribution in filters/sidebar.sql), with the D1–D6 checks that failed and
-- the facts their sentences need.
-- A distribution date after $as_of had not happened yet as of that date.
-- rules: D1–D6
-- used by: pages/income.py
-- formats: amount=万元
SELECT d.row_id, coalesce(d.town, '未填写') AS town, coalesce(d.village, '未填写') AS village,
       d.asset_id, d.year, d.amount, d.purpose, d.beneficiary, d.payout_method,
       d.income_arrived_date, d.distributed_date, d.sheet_row, d.failed,
       to_json(struct_pack(year := d.year, sheet_row := d.sheet_row, purpose := d.purpose,
                           item := d.item, beneficiary := coalesce(d.beneficiary, '未填写'),
                           payout_method := d.payout_method,
                           income_arrived_date := d.income_arrived_date,
                           distributed_date := CASE WHEN d.distributed_date <= $as_of
                                                    THEN d.distributed_date END)) AS facts
FROM filtered_distribution($filters, $as_of) d
WHERE NOT $failing_only OR len(d.failed) > 0
ORDER BY town COLLATE zh, village COLLATE zh, d.year, d.row_id
