-- Every rule that reads only 资产台账, judged in ONE pass over asset_facts (the ledger's
-- own facts, judged at load): here only the date and threshold parts are added.  Each
-- boolean is named after its rule; warnings_*.sql and asset_flags.sql pick them and
-- attach the facts.  A disposed asset (已处置) no longer operates: it is judged only by
-- the flags, never by a warning (Y07 is read from the disposal ledger).
-- CASE guards keep the calendar arithmetic off rows that cannot match.
SELECT *,
       -- §2 idle and low efficiency (operating assets)
       stopped AND CASE WHEN stop_date <= $as_of
                        THEN stop_date + to_months($idle_months) <= $as_of ELSE false END AS idle,
       stopped AND stop_date IS NULL AS qa_stopped_undated,
       operating AND design_capacity > 0
           AND actual_capacity < $capacity_ratio * design_capacity AS le3,
       -- §3 yellow
       active AND CASE WHEN revitalised_date <= $as_of
                       THEN $as_of <= revitalised_date + to_months($revitalised_watch_months)
                       ELSE false END AS y05,
       open_contract AND contract_end BETWEEN $as_of + to_months($contract_red_months)
                                          AND $as_of + to_months($contract_yellow_months) AS y08,
       open_contract AND CASE WHEN contract_end < $as_of
                              THEN contract_end + to_months($contract_red_months) < $as_of
                                   AND $as_of <= contract_end + to_months($contract_yellow_months)
                              ELSE false END AS y09,
       -- §3 red
       active AND principal > 0 AND principal_due < $as_of
           AND coalesce(principal_recovered, 0) < principal AS r02,
       open_contract AND $as_of <= contract_end
           AND contract_end < $as_of + to_months($contract_red_months) AS r09,
       open_contract AND CASE WHEN contract_end < $as_of
                              THEN contract_end + to_months($contract_yellow_months) < $as_of
                              ELSE false END AS r10
FROM asset_facts
