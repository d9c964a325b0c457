-- Milestones of the edition in force at $as_of (policy-rules §8, seed 七, verification.md §4):
-- done ÷ due per town (town NULL = whole banner), at each due date, at $as_of and at every
-- month end since January of the edition's effective year.  The edition's milestones come
-- as lists ($milestone_ids, _names, _dues, _measures); each counts by its measure:
--   issued             one item per town, done on the edition's effective date
--   verified           in-scope assets with 核实日期 ≤ the date (and ≥ $counts_from)
--   one_case_one_plan  problems found (since $counts_from) by the date and not fixed at once
--   confirmed          in-scope assets 已确权 with 确权日期 ≤ the date (MG1's test)
--   revitalised        盘活率 of the operating assets idle or low-efficiency on the effective date
--   signed_off         problems found (since $counts_from) by the date and 已销号 by it
--   on_platform        in-scope assets not 已处置 that MG3 does not fire on at $as_of (no date: counted
--                      from $counts_from)
-- An edition's milestones count from its own effective date: the events before $counts_from
-- (by default the effective date; the seed's counts every dated event) do not count.
-- Items are grouped by their dates at load (milestone_items.sql), so evaluating reads a
-- few thousand groups, not a million assets per date.
-- rules: M1–M6 (and every milestone of a later edition)
-- used by: dashboard/rules.py
WITH due AS (
    SELECT unnest($milestone_ids) AS milestone, unnest($milestone_names) AS name,
           CAST(unnest($milestone_dues) AS DATE) AS due_date, unnest($milestone_measures) AS measure
),
at_dates AS (
    SELECT DISTINCT at_date FROM (
        SELECT due_date AS at_date FROM due
        UNION ALL SELECT $as_of
        UNION ALL SELECT last_day(CAST(m AS DATE))
        FROM generate_series(CAST(date_trunc('year', CAST($effective_from AS DATE)) AS TIMESTAMP),
                             CAST($as_of AS TIMESTAMP), INTERVAL 1 MONTH) g(m)
    ) WHERE at_date <= $as_of OR at_date IN (SELECT due_date FROM due)
),
in_scope AS (    -- is an item (an asset's 建成年度 and 资金来源) in the edition's scope
    SELECT i.*, list_contains($not_evaluated, 'OUT_OF_SCOPE')
                OR NOT (coalesce(i.build_year < $scope_start_year, false) OR coalesce(f.outside, false)) AS inside
    FROM milestone_items i LEFT JOIN fund_scope f ON f.funding_source = i.funding_source
),
-- 盘活 baseline: operating assets in scope, idle or low-efficiency on the effective date
-- [interp: idle by their stop date and not yet revitalised then, or flagged LE1–LE4 now,
-- or revitalised since]
needing AS (
    SELECT a.town, a.revitalised_date, a.original_value FROM asset_facts a
    LEFT JOIN fund_scope f ON f.funding_source = a.funding_source
    WHERE list_contains($milestone_measures, 'revitalised') AND a.operating_category
      AND (list_contains($not_evaluated, 'OUT_OF_SCOPE')
           OR NOT (coalesce(a.build_year < $scope_start_year, false) OR coalesce(f.outside, false)))
      AND ((a.stop_date + to_months($idle_months) <= CAST($effective_from AS DATE)
            AND (a.operating_status = '停运' OR a.revitalised_date IS NOT NULL)
            AND NOT coalesce(a.revitalised_date <= CAST($effective_from AS DATE), false))
           OR a.revitalised_date > CAST($effective_from AS DATE)
           OR a.row_id IN (SELECT asset_row FROM rule_hits WHERE rule_id IN ('LE1', 'LE2', 'LE3', 'LE4')))
),
-- in-scope assets MG3 fires on at $as_of (on_platform), by the keys the verified items carry
off_platform AS (
    SELECT a.town, a.build_year, a.funding_source, count(*) AS n
    FROM management_checks m JOIN assets a ON a.row_id = m.asset_row
    WHERE list_contains($milestone_measures, 'on_platform') AND m.rule_id = 'MG3'
    GROUP BY ALL
),
-- The load-time groups of milestone_items.sql, the asset measures cut to the assets in
-- scope, the problem measures to those found since $counts_from; and the measures judged here.
grouped AS (
    SELECT measure, town, enters, leaves,
           CASE WHEN measure = 'issued' THEN CAST($effective_from AS DATE)
                WHEN measure = 'verified' AND done_on < CAST($counts_from AS DATE) THEN NULL
                ELSE done_on END AS done_on,
           sum(n) AS n, sum(value) AS value
    FROM in_scope
    WHERE list_contains($milestone_measures, measure)
      AND (measure NOT IN ('verified', 'confirmed') OR inside)
      AND (measure NOT IN ('one_case_one_plan', 'signed_off') OR enters >= CAST($counts_from AS DATE))
    GROUP BY ALL
    UNION ALL
    SELECT 'revitalised', town, NULL, NULL, revitalised_date, count(*), sum(original_value)
    FROM needing GROUP BY ALL
    UNION ALL
    -- on_platform: every in-scope asset not 已处置 (MG3 checks those), done since $counts_from unless MG3 fires on it
    SELECT 'on_platform', i.town, NULL, NULL, CAST($counts_from AS DATE),
           sum(i.n) - coalesce(max(o.n), 0), 0
    FROM in_scope i
    LEFT JOIN off_platform o ON o.town IS NOT DISTINCT FROM i.town
         AND o.build_year IS NOT DISTINCT FROM i.build_year AND o.funding_source IS NOT DISTINCT FROM i.funding_source
    WHERE list_contains($milestone_measures, 'on_platform') AND i.measure = 'verified' AND i.inside AND i.active
    GROUP BY i.town, i.build_year, i.funding_source
    UNION ALL
    SELECT 'on_platform', o.town, NULL, NULL, NULL, o.n, 0
    FROM off_platform o JOIN (SELECT DISTINCT town, build_year, funding_source, inside FROM in_scope
                              WHERE measure = 'verified' AND active) s
         ON s.town IS NOT DISTINCT FROM o.town AND s.build_year IS NOT DISTINCT FROM o.build_year
        AND s.funding_source IS NOT DISTINCT FROM o.funding_source
    WHERE s.inside
),
measured AS (
    SELECT u.milestone, g.town, d.at_date,
           sum(g.n) AS total, sum(g.value) AS total_value,
           sum(g.n) FILTER (WHERE g.done_on <= d.at_date) AS done,
           sum(g.value) FILTER (WHERE g.done_on <= d.at_date) AS done_value
    FROM due u JOIN grouped g ON g.measure = u.measure, at_dates d
    WHERE coalesce(g.enters <= d.at_date, true) AND NOT coalesce(g.leaves <= d.at_date, false)
    GROUP BY GROUPING SETS ((u.milestone, g.town, d.at_date), (u.milestone, d.at_date))
)
SELECT m.milestone, m.town, m.at_date, u.due_date,
       m.at_date = u.due_date AS is_due, m.at_date = $as_of AS is_as_of,
       coalesce(m.done, 0) AS done, m.total,
       CASE WHEN u.measure = 'revitalised'
            THEN (coalesce(m.done_value, 0) / nullif(m.total_value, 0)
                  + coalesce(m.done, 0) / m.total) / 2
            ELSE coalesce(m.done, 0) / m.total END AS share,
       u.name, u.measure
FROM measured m JOIN due u USING (milestone)
ORDER BY m.milestone, m.town NULLS FIRST, m.at_date
