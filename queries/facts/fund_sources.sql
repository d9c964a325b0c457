-- Every distinct 资金来源 the asset ledger writes, judged ONCE at load: whether a source is in
-- the plan's scope depends on the edition in force at $as_of (rules/fund_scope.sql), so only
-- the few distinct texts are kept here and judged at evaluation.
-- rules: OUT_OF_SCOPE (its 资金来源 part), M2, M4, M5 (assets in scope)
-- used by: dashboard/model.py
SELECT funding_source, count(*) AS assets
FROM assets
WHERE nullif(trim(funding_source), '') IS NOT NULL
GROUP BY funding_source
ORDER BY funding_source
