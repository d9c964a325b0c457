-- Milestones M1–M6 (policy-rules §8, seed 七): done ÷ due per town (town NULL = whole
-- banner), at each due date, at $as_of and at every month end since January 2024.
-- Items are first grouped by their dates, so 1M assets cost one pass, not one per date.
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
in_scope AS NOT MATERIALIZED (
    SELECT a.row_id, a.town, a.category, a.original_value, a.verified_date, a.ownership_status,
           a.ownership_date, a.stop_date, a.operating_status, a.revitalised_date
    FROM assets a
    ANTI JOIN (SELECT asset_row FROM rule_hits WHERE rule_id = 'OUT_OF_SCOPE') o
        ON o.asset_row = a.row_id
),
-- 盘活 baseline: operating assets idle or low-efficiency on 2024-02-29 [interp: idle by
-- their stop date and not yet revitalised then, or flagged LE1–LE4 now, or revitalised since]
needing AS NOT MATERIALIZED (
    SELECT a.* FROM in_scope a
    WHERE a.category = '经营性' AND (
          (a.stop_date + to_months($idle_months) <= DATE '2024-02-29'
           AND (a.operating_status = '停运' OR a.revitalised_date IS NOT NULL)
           AND NOT coalesce(a.revitalised_date <= DATE '2024-02-29', false))
       OR a.revitalised_date > DATE '2024-02-29'
       OR a.row_id IN (SELECT asset_row FROM rule_hits WHERE rule_id IN ('LE1', 'LE2', 'LE3', 'LE4')))
),
-- A problem not linked to an asset counts for the town its responsible unit names
-- (城川镇人民政府 → 城川镇); a unit naming no town counts under its own name.
problem_towns AS (
    SELECT p.row_id, coalesce(a.town, max(t.town), p.responsible_unit) AS town
    FROM problems p
    LEFT JOIN assets a ON a.row_id = p.asset_row
    LEFT JOIN (SELECT DISTINCT town FROM assets WHERE town IS NOT NULL) t
        ON a.row_id IS NULL AND starts_with(p.responsible_unit, t.town)
    GROUP BY p.row_id, a.town, p.responsible_unit
),
-- One row per counted item: when it enters the denominator (NULL: always), when it
-- leaves it (NULL: never), when it counts as done (NULL: never), and its value.
items AS (
    SELECT 'M1' AS milestone, town, NULL::DATE AS enters, NULL::DATE AS leaves,
           DATE '2024-02-29' AS done_on, 0::DECIMAL(18,2) AS value
    FROM (SELECT DISTINCT town FROM assets)
    UNION ALL
    SELECT 'M2', town, NULL, NULL, verified_date, original_value FROM in_scope
    UNION ALL
    SELECT 'M4', town, NULL, NULL, CASE WHEN ownership_status = '已确权' THEN ownership_date END,
           original_value FROM in_scope
    UNION ALL
    SELECT 'M5', town, NULL, NULL, revitalised_date, original_value FROM needing
    UNION ALL
    -- M3: problems not fixed at once need a one-case-one-plan; a signed-off problem
    -- leaves the count; one fixed with no plan was fixed at once and never counts.
    SELECT 'M3', pt.town, p.found_date,
           CASE WHEN p.status = '已销号' THEN p.signoff_date END,
           p.plan_date, 0
    FROM problems p JOIN problem_towns pt ON pt.row_id = p.row_id
    WHERE p.found_date IS NOT NULL AND NOT (p.status = '已整改' AND p.plan_date IS NULL)
    UNION ALL
    SELECT 'M6', pt.town, p.found_date, NULL,
           CASE WHEN p.status = '已销号' THEN p.signoff_date END, 0
    FROM problems p JOIN problem_towns pt ON pt.row_id = p.row_id
    WHERE p.found_date IS NOT NULL
),
grouped AS (
    SELECT milestone, town, enters, leaves, done_on, count(*) AS n, sum(value) AS value
    FROM items GROUP BY ALL
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
