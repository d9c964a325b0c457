-- Every fired rule and flag, one row per asset and rule (the most recent occurrence,
-- with the number of occurrences), without the rules that could not be evaluated.
SELECT h.asset_id, h.rule_id, c.level, h.key_date, h.facts, h.occurrences
FROM (
    SELECT asset_id, rule_id, key_date, facts,
           count(*) OVER (PARTITION BY asset_id, rule_id) AS occurrences
    FROM (SELECT * FROM warnings_idle
          UNION ALL SELECT * FROM warnings_yellow
          UNION ALL SELECT * FROM warnings_red
          UNION ALL SELECT * FROM asset_flags)
    QUALIFY row_number() OVER (PARTITION BY asset_id, rule_id
                               ORDER BY key_date DESC NULLS LAST, facts) = 1
) h
JOIN rule_catalog c USING (rule_id)
WHERE NOT list_contains($not_evaluated, h.rule_id)
