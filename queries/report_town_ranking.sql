-- Towns ranked (季通报): by red-warned assets, their original value, and the share of
-- assets warned (1 = most); new warnings this period from prev_rule_hits.
WITH levels AS (
    SELECT coalesce(town, '未填写') AS town, count(*) AS assets,
           count(*) FILTER (WHERE level = 'red') AS red,
           coalesce(sum(original_value) FILTER (WHERE level = 'red'), 0) AS red_value,
           count(*) FILTER (WHERE level = 'yellow') AS yellow,
           count(*) FILTER (WHERE level <> 'none') / count(*) AS warned_share
    FROM asset_results GROUP BY 1
),
fresh AS (
    SELECT coalesce(r.town, '未填写') AS town, count(*) AS new_warnings
    FROM rule_hits h
    JOIN asset_results r ON r.asset_id = h.asset_id
    LEFT JOIN prev_rule_hits p ON p.asset_id = h.asset_id AND p.rule_id = h.rule_id
    WHERE h.level IN ('red', 'yellow') AND p.rule_id IS NULL
    GROUP BY 1
)
SELECT l.*, coalesce(f.new_warnings, 0) AS new_warnings,
       rank() OVER (ORDER BY l.red DESC) AS rank_red,
       rank() OVER (ORDER BY l.red_value DESC) AS rank_red_value,
       rank() OVER (ORDER BY l.warned_share DESC) AS rank_share
FROM levels l LEFT JOIN fresh f USING (town)
ORDER BY rank_red, rank_red_value, town COLLATE zh
