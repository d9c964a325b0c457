-- 资产台账: how many filtered assets match the free-text $search, and their original value
-- (ledger_matches, the same rows as ledger/listing.sql), for the page count and caption.
-- rules: every rule (through the level filter)
-- used by: pages/ledger.py
-- carried: how many of them a consolidation carried forward (沿用上月, dashboard/monthly/carry.py).
-- formats: value=万元
SELECT count(*) AS assets, coalesce(sum(original_value), 0) AS value,
       count(*) FILTER (WHERE starts_with(source_file, '沿用上月')) AS carried
FROM ledger_matches($filters, $search)
