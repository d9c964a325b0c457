-- Problems per sign-off tier T1–T4 (by the asset's original value; tier NULL = not linked
-- to an asset of the ledger): found by the report's date, signed off by then, still open.
SELECT r.signoff_tier AS tier, count(*) AS problems,
       count(*) FILTER (WHERE p.status = '已销号' AND p.signoff_date <= $as_of) AS signed_off,
       count(*) FILTER (WHERE NOT coalesce(p.status = '已销号' AND p.signoff_date <= $as_of, false)) AS open
FROM problems p
LEFT JOIN asset_results r ON r.asset_id = p.asset_id
WHERE coalesce(p.found_date <= $as_of, true)
GROUP BY r.signoff_tier
ORDER BY tier NULLS LAST
