-- Distribution compliance D1–D6 with the row's texts and its asset's town and village
-- (a view over the verdicts of distribution_judged; pages, reports and exports read this).
SELECT j.row_id, d.source_file, d.source_row AS sheet_row, j.asset_row, d.asset_id,
       coalesce(d.town, a.town) AS town, coalesce(d.village, a.village) AS village,
       d.year, d.amount, d.purpose, d.beneficiary, d.payout_method,
       d.income_arrived_date, d.distributed_date, j.item,
       j.d1, j.d2, j.d3, j.d4, j.d5, j.d6, j.failed
FROM distribution_judged j
JOIN distribution d ON d.row_id = j.row_id
LEFT JOIN assets a ON a.row_id = j.asset_row
