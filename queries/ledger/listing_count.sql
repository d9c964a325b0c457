-- 资产台账: how many filtered assets match the free-text $search, and their original value
-- (ledger_matches, the same rows as ledger/listing.sql), for the page count and caption.
-- rules: every rule (through the level filter)
-- used by: pages/ledger.py
SELECT count(*) AS assets, coalesce(sum(original_value), 0) AS value
FROM ledger_matches($filters, $search)
