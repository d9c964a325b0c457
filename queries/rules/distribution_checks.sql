-- Distribution compliance D1–D6 with the row's texts and its asset's town and village
-- (a view over the verdicts of distribution_judged; pages, reports and exports read this).
-- rules: D1–D6
-- used by: dashboard/rules.py
SELECT j.row_id, d.source_file, d.source_row AS sheet_row, j.asset_row, d.asset_id,
       coalesce(d.town, a.town) AS town, coalesce(d.village, a.village) AS village,
       d.year, d.amount, d.purpose, d.beneficiary, d.payout_method,
       d.income_arrived_date, d.distributed_date, j.item,
       j.d1, j.d2, j.d3, j.d4, j.d5, j.d6,
       list_filter([CASE WHEN j.d1 THEN 'D1' END, CASE WHEN j.d2 THEN 'D2' END,
                    CASE WHEN j.d3 THEN 'D3' END, CASE WHEN j.d4 THEN 'D4' END,
                    CASE WHEN j.d5 THEN 'D5' END, CASE WHEN j.d6 THEN 'D6' END],
                   lambda x: x IS NOT NULL) AS failed
FROM distribution_judged j
JOIN distribution d ON d.row_id = j.row_id
LEFT JOIN assets a ON a.row_id = j.asset_row
