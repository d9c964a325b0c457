-- 公示 (群众监管): the income received by one village's assets, by year up to the data date
-- (money received after as_of is not yet counted: policy-rules §9).  No payer's name, and
-- each asset named as gongshi/assets.sql names it (a 到户类 asset by its type only).
-- rules: — (public notice, plan 八(四) 群众监管)
-- used by: pages/gongshi.py
-- formats: income_received=万元
SELECT i.year,
       CASE WHEN a.category = '到户类' OR a.owner_level = '农户'
            THEN CASE WHEN nullif(trim(a.asset_type), '') IS NULL
                        OR list_bool_or(list_transform([a.custodian_person, a.operator, a.owner_unit],
                               lambda n: coalesce(length(trim(n)) >= 2 AND contains(a.asset_type, trim(n)), false)))
                      THEN '到户类资产' ELSE trim(a.asset_type) || '（到户类）' END
            WHEN list_bool_or(list_transform([a.custodian_person, a.operator, a.owner_unit],
                     lambda n: coalesce(length(trim(n)) >= 2 AND contains(a.asset_name, trim(n)), false)))
            THEN coalesce(nullif(trim(a.asset_type), ''), a.category, '项目资产') || '（名称不公开）'
            ELSE a.asset_name END AS asset_name,
       sum(i.income_received) AS income_received
FROM income i
JOIN assets a ON a.row_id = i.asset_row
WHERE i.asset_row IN (SELECT row_id FROM filtered_assets($filters))
  AND coalesce(i.year <= year($as_of), true)
  AND i.income_received IS NOT NULL
  AND coalesce(i.payment_date <= $as_of, true)
GROUP BY ALL
ORDER BY i.year DESC, asset_name COLLATE zh
