-- Milestones M1–M6 (policy-rules §8, seed 七): done ÷ due per town (town NULL = whole
-- banner), at each due date, at $as_of and at every month end since January 2024.
-- Items are grouped by their dates at load (milestone_items.sql), so evaluating reads a
-- few thousand groups, not a million assets per date.
-- rules: M1–M6
-- used by: dashboard/rules.py
WITH due(milestone, due_date) AS (VALUES
    ('M1', DATE '2024-02-29'), ('M2', DATE '2024-02-29'), ('M3', DATE '2024-02-29'),
    ('M4', DATE '2024-03-31'), ('M5', DATE '2024-06-30'), ('M6', DATE '2024-06-30')
),
at_dates AS (
    SELECT DISTINCT at_date FROM (
        SELECT due_date AS at_date FROM due
        UNION ALL SELECT $as_of
        UNION ALL SELECT last_day(CAST(m AS DATE))
        FROM generate_series(DATE '2024-01-01', CAST($as_of AS TIMESTAMP), INTERVAL 1 MONTH) g(m)
    ) WHERE at_date <= $as_of OR at_date IN (SELECT due_date FROM due)
),
-- 盘活 baseline: operating assets in scope, idle or low-efficiency on 2024-02-29 [interp:
-- idle by their stop date and not yet revitalised then, or flagged LE1–LE4 now, or
-- revitalised since]
needing AS (
    SELECT town, revitalised_date, original_value FROM asset_facts a
    WHERE a.operating_category
      AND (list_contains($not_evaluated, 'OUT_OF_SCOPE')
           OR NOT (coalesce(a.build_year < $scope_start_year, false) OR a.source_outside))
      AND ((a.stop_date + to_months($idle_months) <= DATE '2024-02-29'
            AND (a.operating_status = '停运' OR a.revitalised_date IS NOT NULL)
            AND NOT coalesce(a.revitalised_date <= DATE '2024-02-29', false))
           OR a.revitalised_date > DATE '2024-02-29'
           OR a.row_id IN (SELECT asset_row FROM rule_hits WHERE rule_id IN ('LE1', 'LE2', 'LE3', 'LE4')))
),
-- The load-time groups of milestone_items.sql, M2 and M4 cut to the assets in scope
-- (三、工作范围), and M5's items grouped the same way.
grouped AS (
    SELECT milestone, town, enters, leaves, done_on, sum(n) AS n, sum(value) AS value
    FROM milestone_items
    WHERE milestone NOT IN ('M2', 'M4') OR list_contains($not_evaluated, 'OUT_OF_SCOPE')
       OR NOT (coalesce(build_year < $scope_start_year, false) OR source_outside)
    GROUP BY ALL
    UNION ALL
    SELECT 'M5', town, NULL, NULL, revitalised_date, count(*), sum(original_value)
    FROM needing GROUP BY ALL
),
measured AS (
    SELECT g.milestone, g.town, d.at_date,
           sum(g.n) AS total, sum(g.value) AS total_value,
           sum(g.n) FILTER (WHERE g.done_on <= d.at_date) AS done,
           sum(g.value) FILTER (WHERE g.done_on <= d.at_date) AS done_value
    FROM grouped g, at_dates d
    WHERE coalesce(g.enters <= d.at_date, true) AND NOT coalesce(g.leaves <= d.at_date, false)
    GROUP BY GROUPING SETS ((g.milestone, g.town, d.at_date), (g.milestone, d.at_date))
)
SELECT m.milestone, m.town, m.at_date, u.due_date,
       m.at_date = u.due_date AS is_due, m.at_date = $as_of AS is_as_of,
       coalesce(m.done, 0) AS done, m.total,
       CASE WHEN m.milestone = 'M5'
            THEN (coalesce(m.done_value, 0) / nullif(m.total_value, 0)
                  + coalesce(m.done, 0) / m.total) / 2
            ELSE coalesce(m.done, 0) / m.total END AS share
FROM measured m JOIN due u USING (milestone)
ORDER BY m.milestone, m.town NULLS FIRST, m.at_date
