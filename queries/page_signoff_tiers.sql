-- 处置与销号: sign-off tiers T1–T4 (七(四), by the asset's original value) over the filtered
-- assets: assets and value per tier, those warned red or yellow, and their problems found
-- by $as_of — signed off by then, or still open.
WITH tiers AS (SELECT unnest(['T1', 'T2', 'T3', 'T4']) AS tier),
probs AS (
    SELECT r.signoff_tier AS tier, count(*) AS problems,
           count(*) FILTER (WHERE p.status = '已销号' AND p.signoff_date <= $as_of) AS signed_off
    FROM problems p
    JOIN app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches) r
      ON r.asset_id = p.asset_id
    WHERE coalesce(p.found_date <= $as_of, true)
    GROUP BY 1
),
assets AS (
    SELECT signoff_tier AS tier, count(*) AS assets, coalesce(sum(original_value), 0) AS value,
           count(*) FILTER (WHERE level IN ('red', 'yellow')) AS warned
    FROM app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches)
    GROUP BY 1
)
SELECT t.tier, coalesce(a.assets, 0) AS assets, coalesce(a.value, 0) AS value, coalesce(a.warned, 0) AS warned,
       coalesce(p.problems, 0) AS problems, coalesce(p.signed_off, 0) AS signed_off,
       coalesce(p.problems, 0) - coalesce(p.signed_off, 0) AS open
FROM tiers t
LEFT JOIN assets a USING (tier)
LEFT JOIN probs p USING (tier)
ORDER BY t.tier
