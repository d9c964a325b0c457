-- Every fired rule and flag, one row per asset and rule (the most recent occurrence,
-- with the number of occurrences), without the rules that could not be evaluated.
-- A GROUP BY, not a window: it does not sort the hits.
-- rules: IDLE, LE1–LE4, Y01–Y09, R01–R10 and the flags
-- used by: dashboard/rules.py
SELECT h.asset_row, a.asset_id, h.rule_id, c.level, h.key_date, h.facts, h.occurrences
FROM (
    SELECT asset_row, rule_id,
           max(key_date) AS key_date,
           arg_max(facts, (coalesce(key_date, DATE '1900-01-01'), facts)) AS facts,
           count(*) AS occurrences
    FROM (SELECT * FROM warnings_idle
          UNION ALL SELECT * FROM warnings_yellow
          UNION ALL SELECT * FROM warnings_red
          UNION ALL SELECT * FROM asset_flags)
    WHERE NOT list_contains($not_evaluated, rule_id)
    GROUP BY asset_row, rule_id
) h
JOIN rule_catalog c USING (rule_id)
JOIN assets a ON a.row_id = h.asset_row
