-- 三、工作范围 by 资金来源, as the edition in force at $as_of words it: a source is outside
-- the scope when it names none of the edition's funds (or their short forms, $fund_patterns).
-- One row per distinct source of the ledger (facts/fund_sources.sql); the assets join it.
-- rules: OUT_OF_SCOPE (资金来源), M2, M4, M5
-- used by: dashboard/rules.py
SELECT funding_source,
       NOT coalesce(list_bool_or(list_transform($fund_patterns, lambda p: contains(funding_source, p))), false)
           AS outside
FROM fund_sources
