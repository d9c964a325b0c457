-- The items milestones M1–M4 and M6 count (policy-rules §8, seed 七), grouped by their
-- dates once, at load: which items there are and when they enter, leave and count as
-- done depends only on the ledgers.  M2 and M4 keep 建成年度 and the 资金来源 verdict,
-- because which assets are in scope is decided at evaluation by $scope_start_year.
-- M5 depends on $idle_months and LE1–LE4, so milestones.sql judges it.
-- rules: M1–M4, M6
-- used by: dashboard/model.py
WITH problem_towns AS (
    -- A problem not linked to an asset counts for the town its responsible unit names
    -- (城川镇人民政府 → 城川镇); a unit naming no town counts under its own name.
    SELECT p.row_id, coalesce(a.town, max(t.town), p.responsible_unit) AS town
    FROM problems p
    LEFT JOIN assets a ON a.row_id = p.asset_row
    LEFT JOIN (SELECT DISTINCT town FROM assets WHERE town IS NOT NULL) t
        ON a.row_id IS NULL AND starts_with(p.responsible_unit, t.town)
    GROUP BY p.row_id, a.town, p.responsible_unit
),
scoped_assets AS (
    SELECT a.town, a.build_year, coalesce(f.source_outside, false) AS source_outside,
           a.original_value, a.verified_date,
           CASE WHEN a.ownership_status = '已确权' THEN a.ownership_date END AS owned_date
    FROM assets a LEFT JOIN asset_facts f ON f.row_id = a.row_id
),
-- One row per counted item: when it enters the denominator (NULL: always), when it
-- leaves it (NULL: never), when it counts as done (NULL: never), and its value.
items AS (
    SELECT 'M1' AS milestone, town, NULL::INTEGER AS build_year, false AS source_outside,
           NULL::DATE AS enters, NULL::DATE AS leaves, DATE '2024-02-29' AS done_on,
           0::DECIMAL(18,2) AS value
    FROM (SELECT DISTINCT town FROM assets)
    UNION ALL
    SELECT 'M2', town, build_year, source_outside, NULL, NULL, verified_date, original_value
    FROM scoped_assets
    UNION ALL
    SELECT 'M4', town, build_year, source_outside, NULL, NULL, owned_date, original_value
    FROM scoped_assets
    UNION ALL
    -- M3: problems not fixed at once need a one-case-one-plan; a signed-off problem
    -- leaves the count; one fixed with no plan was fixed at once and never counts.
    SELECT 'M3', pt.town, NULL, false, p.found_date,
           CASE WHEN p.status = '已销号' THEN p.signoff_date END,
           p.plan_date, 0
    FROM problems p JOIN problem_towns pt ON pt.row_id = p.row_id
    WHERE p.found_date IS NOT NULL AND NOT (p.status = '已整改' AND p.plan_date IS NULL)
    UNION ALL
    SELECT 'M6', pt.town, NULL, false, p.found_date, NULL,
           CASE WHEN p.status = '已销号' THEN p.signoff_date END, 0
    FROM problems p JOIN problem_towns pt ON pt.row_id = p.row_id
    WHERE p.found_date IS NOT NULL
)
SELECT milestone, town, build_year, source_outside, enters, leaves, done_on,
       count(*) AS n, sum(value) AS value
FROM items GROUP BY ALL
