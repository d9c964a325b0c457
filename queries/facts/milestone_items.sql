-- The items the milestones count (policy-rules §8, seed 七), grouped by their dates once,
-- at load, by MEASURE (verification.md §4): which items there are and when they enter,
-- leave and count as done depends only on the ledgers; which milestone of which edition
-- uses a measure, its due date and from when it counts are decided at evaluation
-- (milestones.sql).  verified and confirmed keep 建成年度 and 资金来源, because which
-- assets are in scope is decided at evaluation by the edition in force.  revitalised
-- depends on $idle_months and LE1–LE4, on_platform on MG3, issued on the edition's date:
-- milestones.sql judges those.
-- rules: M1–M6 (measures issued, verified, one_case_one_plan, confirmed, signed_off)
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
    SELECT a.town, a.build_year, a.funding_source, a.original_value, a.verified_date,
           a.disposal_status IS DISTINCT FROM '已处置' AS active,      -- on_platform counts these (MG3's)
           CASE WHEN a.ownership_status = '已确权' THEN a.ownership_date END AS owned_date
    FROM assets a
),
-- One row per counted item: when it enters the denominator (NULL: always), when it
-- leaves it (NULL: never), when it counts as done (NULL: never), and its value.
items AS (
    -- issued: one item per town, done on the edition's effective date (milestones.sql)
    SELECT 'issued' AS measure, town, NULL::INTEGER AS build_year, NULL::VARCHAR AS funding_source,
           NULL::BOOLEAN AS active, NULL::DATE AS enters, NULL::DATE AS leaves, NULL::DATE AS done_on,
           0::DECIMAL(18,2) AS value
    FROM (SELECT DISTINCT town FROM assets)
    UNION ALL
    SELECT 'verified', town, build_year, funding_source, active, NULL, NULL, verified_date, original_value
    FROM scoped_assets
    UNION ALL
    SELECT 'confirmed', town, build_year, funding_source, active, NULL, NULL, owned_date, original_value
    FROM scoped_assets
    UNION ALL
    -- one_case_one_plan: problems not fixed at once need a plan; a signed-off problem
    -- leaves the count; one fixed with no plan was fixed at once and never counts.
    SELECT 'one_case_one_plan', pt.town, NULL, NULL, NULL, p.found_date,
           CASE WHEN p.status = '已销号' THEN p.signoff_date END,
           p.plan_date, 0
    FROM problems p JOIN problem_towns pt ON pt.row_id = p.row_id
    WHERE p.found_date IS NOT NULL AND NOT (p.status = '已整改' AND p.plan_date IS NULL)
    UNION ALL
    SELECT 'signed_off', pt.town, NULL, NULL, NULL, p.found_date, NULL,
           CASE WHEN p.status = '已销号' THEN p.signoff_date END, 0
    FROM problems p JOIN problem_towns pt ON pt.row_id = p.row_id
    WHERE p.found_date IS NOT NULL
)
SELECT measure, town, build_year, funding_source, active, enters, leaves, done_on,
       count(*) AS n, sum(value) AS value
FROM items GROUP BY ALL
