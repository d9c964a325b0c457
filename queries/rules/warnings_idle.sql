-- Idle (IDLE) and low-efficiency (LE1–LE4) operating assets (policy-rules §2, seed 四),
-- and the data-quality case of a stopped asset without a stop date (QA: not guessed).
-- One row per fired rule: asset_row, rule_id, key_date (the date that decided it),
-- facts (rule_hits.sql adds the 资产编号).  A disposed asset no longer operates and is not judged.
-- IDLE, QA (stopped, undated), LE3 and LE4 are judged in asset_checks.sql.
-- rules: IDLE, LE1–LE4
-- used by: dashboard/rules.py
SELECT row_id AS asset_row, 'IDLE' AS rule_id, stop_date AS key_date,
       to_json(struct_pack(stop_date := stop_date,
                           idle_from := CAST(stop_date + to_months($idle_months) AS DATE))) AS facts
FROM asset_checks WHERE idle

UNION ALL
SELECT row_id, 'QA', NULL,
       to_json(struct_pack(problem := '运营状况为停运但未填写停运日期，无法判断是否闲置'))
FROM asset_checks WHERE qa_stopped_undated

UNION ALL
SELECT a.row_id, 'LE1', i.dividend_due_date,
       to_json(struct_pack(year := i.year, dividend_due_date := i.dividend_due_date,
                           limit_date := CAST(i.dividend_due_date + to_months($dividend_grace_months) AS DATE),
                           dividend_date := i.dividend_date))
FROM income i JOIN asset_facts a ON a.row_id = i.asset_row
WHERE a.equity_share
  AND i.dividend_due_date + to_months($dividend_grace_months) <= $as_of
  AND NOT coalesce(i.dividend_date <= i.dividend_due_date + to_months($dividend_grace_months), false)

UNION ALL
SELECT a.row_id, 'LE2', make_date($yr, 12, 31),
       to_json(struct_pack(year := $yr, net_income := n.cur, prev_year := $yr - 1, prev_net_income := n.prev))
FROM (
    SELECT asset_row,
           sum(net_operating_income) FILTER (WHERE year = $yr) AS cur,
           sum(net_operating_income) FILTER (WHERE year = $yr - 1) AS prev
    FROM income WHERE year IN ($yr, $yr - 1) AND net_operating_income IS NOT NULL
    GROUP BY asset_row
) n JOIN asset_facts a ON a.row_id = n.asset_row
WHERE a.operating AND n.cur < 0 AND n.prev < 0

UNION ALL
SELECT row_id, 'LE3', NULL,
       to_json(struct_pack(design_capacity := design_capacity, actual_capacity := actual_capacity))
FROM asset_checks WHERE le3

UNION ALL
SELECT row_id, 'LE4', NULL, to_json(struct_pack(deemed := deemed_inefficient))
FROM asset_checks WHERE le4
