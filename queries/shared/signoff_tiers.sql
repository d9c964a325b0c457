-- Sign-off tiers T1–T4 (七(四), by the asset's original value) over the filtered assets:
-- assets and value per tier, those warned red or yellow, and their problems found by
-- $as_of — signed off by then, or still open.  Problems not linked to an asset of the
-- ledger (shown only with no filter set) are one more row with tier NULL.
-- rules: T1, T2, T3, T4
-- used by: pages/disposal.py, dashboard/reports/content.py
-- formats: value=万元
WITH tiers AS (SELECT unnest(['T1', 'T2', 'T3', 'T4']) AS tier),
probs AS (
    SELECT signoff_tier AS tier, count(*) AS problems,
           count(*) FILTER (WHERE status_as_of = '已销号') AS signed_off
    FROM filtered_problems($filters, $as_of)
    GROUP BY 1
),
assets AS (
    SELECT signoff_tier AS tier, count(*) AS assets, coalesce(sum(original_value), 0) AS value,
           count(*) FILTER (WHERE level IN ('red', 'yellow')) AS warned
    FROM filtered_assets($filters)
    GROUP BY 1
)
SELECT t.tier, coalesce(a.assets, 0) AS assets, coalesce(a.value, 0) AS value, coalesce(a.warned, 0) AS warned,
       coalesce(p.problems, 0) AS problems, coalesce(p.signed_off, 0) AS signed_off,
       coalesce(p.problems, 0) - coalesce(p.signed_off, 0) AS open
FROM (SELECT tier FROM tiers UNION ALL SELECT NULL FROM probs WHERE tier IS NULL) t
LEFT JOIN assets a ON a.tier IS NOT DISTINCT FROM t.tier
LEFT JOIN probs p ON p.tier IS NOT DISTINCT FROM t.tier
ORDER BY t.tier NULLS LAST
