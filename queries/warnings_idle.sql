-- Idle (IDLE) and low-efficiency (LE1–LE4) operating assets (policy-rules §2, seed 四),
-- and the data-quality case of a stopped asset without a stop date (QA: not guessed).
-- One row per fired rule: asset_id, rule_id, key_date (the date that decided it), facts.
WITH operating AS (
    SELECT * FROM assets
    WHERE category = '经营性' AND disposal_status IS DISTINCT FROM '已处置'
),
net_by_year AS (
    SELECT asset_id, year, sum(net_operating_income) AS net_income
    FROM income WHERE net_operating_income IS NOT NULL
    GROUP BY asset_id, year
)
SELECT asset_id, 'IDLE' AS rule_id, stop_date AS key_date,
       to_json(struct_pack(stop_date := stop_date,
                           idle_from := CAST(stop_date + to_months($idle_months) AS DATE))) AS facts
FROM operating
WHERE operating_status = '停运' AND stop_date + to_months($idle_months) <= $as_of

UNION ALL
SELECT asset_id, 'QA', NULL,
       to_json(struct_pack(problem := '运营状况为停运但未填写停运日期，无法判断是否闲置'))
FROM operating
WHERE operating_status = '停运' AND stop_date IS NULL

UNION ALL
SELECT o.asset_id, 'LE1', i.dividend_due_date,
       to_json(struct_pack(year := i.year, dividend_due_date := i.dividend_due_date,
                           limit_date := CAST(i.dividend_due_date + to_months($dividend_grace_months) AS DATE),
                           dividend_date := i.dividend_date))
FROM operating o JOIN income i ON i.asset_id = o.asset_id
WHERE o.operating_mode = '入股经营'
  AND i.dividend_due_date + to_months($dividend_grace_months) <= $as_of
  AND NOT coalesce(i.dividend_date <= i.dividend_due_date + to_months($dividend_grace_months), false)

UNION ALL
SELECT o.asset_id, 'LE2', make_date(cur.year, 12, 31),
       to_json(struct_pack(year := cur.year, net_income := cur.net_income,
                           prev_year := prev.year, prev_net_income := prev.net_income))
FROM operating o
JOIN net_by_year cur ON cur.asset_id = o.asset_id AND cur.year = $yr
JOIN net_by_year prev ON prev.asset_id = o.asset_id AND prev.year = $yr - 1
WHERE cur.net_income < 0 AND prev.net_income < 0

UNION ALL
SELECT asset_id, 'LE3', NULL,
       to_json(struct_pack(design_capacity := design_capacity, actual_capacity := actual_capacity))
FROM operating
WHERE design_capacity > 0 AND actual_capacity < $capacity_ratio * design_capacity

UNION ALL
SELECT asset_id, 'LE4', NULL, to_json(struct_pack(deemed := deemed_inefficient))
FROM operating
WHERE deemed_inefficient = '是'
