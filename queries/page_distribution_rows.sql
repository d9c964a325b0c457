-- 收益与分配: the 收益分配 rows in the sidebar filters (years up to as_of's), with the
-- D1–D6 checks that failed and the facts their sentences need.  A row linked to an asset
-- follows the asset's filters; an unlinked row follows the town and village filters only
-- and is left out when any other filter is set (its asset's attributes are unknown).
-- A distribution date after $as_of had not happened yet as of that date.
SELECT d.row_id, coalesce(d.town, '未填写') AS town, coalesce(d.village, '未填写') AS village,
       d.asset_id, d.year, d.amount, d.purpose, d.beneficiary, d.payout_method,
       d.income_arrived_date, d.distributed_date, d.sheet_row, d.failed,
       to_json(struct_pack(year := d.year, sheet_row := d.sheet_row, purpose := d.purpose,
                           item := d.item, beneficiary := coalesce(d.beneficiary, '未填写'),
                           payout_method := d.payout_method,
                           income_arrived_date := d.income_arrived_date,
                           distributed_date := CASE WHEN d.distributed_date <= $as_of
                                                    THEN d.distributed_date END)) AS facts
FROM distribution_checks d
WHERE coalesce(d.year <= year($as_of), true)
  AND (NOT $failing_only OR len(d.failed) > 0)
  AND CASE WHEN d.asset_row IS NOT NULL
           THEN d.asset_row IN (SELECT row_id FROM app_filtered($towns, $villages, $categories, $types,
                                $funds, $year_from, $year_to, $levels, $batches))
           ELSE (len($towns) = 0 OR list_contains($towns, coalesce(d.town, '未填写')))
            AND (len($villages) = 0 OR list_contains($villages, coalesce(d.village, '未填写')))
            AND app_unfiltered([], [], $categories, $types, $funds, $year_from, $year_to, $levels, $batches) END
ORDER BY town COLLATE zh, village COLLATE zh, d.year, d.row_id
