-- 公示 (群众监管): the income received by one village's assets, by year up to the data date
-- (money received after as_of is not yet counted: policy-rules §9).  No payer's name.
-- rules: — (public notice, plan 八(四) 群众监管)
-- used by: pages/gongshi.py
SELECT i.year, a.asset_name, sum(i.income_received) AS income_received
FROM income i
JOIN assets a ON a.row_id = i.asset_row
WHERE i.asset_row IN (SELECT row_id FROM filtered_assets($filters))
  AND coalesce(i.year <= year($as_of), true)
  AND i.income_received IS NOT NULL
  AND coalesce(i.payment_date <= $as_of, true)
GROUP BY i.year, a.asset_name
ORDER BY i.year DESC, a.asset_name COLLATE zh
