-- A report's key figures at one evaluation date (run on the current evaluation and on
-- the previous period's, so the report can state the change).  One row.
WITH levels AS (
    SELECT count(*) AS assets, coalesce(sum(original_value), 0) AS assets_value,
           count(*) FILTER (WHERE category = '经营性') AS operating,
           count(*) FILTER (WHERE level = 'red') AS red,
           coalesce(sum(original_value) FILTER (WHERE level = 'red'), 0) AS red_value,
           count(*) FILTER (WHERE level = 'yellow') AS yellow,
           coalesce(sum(original_value) FILTER (WHERE level = 'yellow'), 0) AS yellow_value,
           count(*) FILTER (WHERE list_contains(flags, 'IDLE')) AS idle,
           count(*) FILTER (WHERE list_has_any(flags, ['LE1', 'LE2', 'LE3', 'LE4'])) AS low_efficiency
    FROM asset_results
),
distribution AS (
    SELECT count(*) AS distribution_rows,
           count(*) FILTER (WHERE len(failed) > 0) AS distribution_failed,
           coalesce(sum(amount) FILTER (WHERE len(failed) > 0), 0) AS distribution_failed_amount
    FROM distribution_checks
    WHERE coalesce(year <= year($as_of), true)   -- a later year's distribution has not happened yet
),
disposal AS (
    SELECT count(*) AS disposal_rows,
           count(*) FILTER (WHERE len(violations) > 0) AS disposal_violating
    FROM disposal_checks
),
problem AS (   -- a problem counts from its 发现日期; its sign-off from its 销号日期
    SELECT count(*) AS problems,
           count(*) FILTER (WHERE status = '已销号' AND signoff_date <= $as_of) AS problems_signed_off
    FROM problems
    WHERE coalesce(found_date <= $as_of, true)
),
revival AS (
    SELECT max(share) AS revitalisation_rate
    FROM milestones WHERE milestone = 'M5' AND town IS NULL AND is_as_of
)
SELECT * FROM levels, distribution, disposal, problem, revival
