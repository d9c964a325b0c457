-- Every rule that reads only 资产台账: asset_facts (the ledger's own facts, judged at
-- load) plus the date and threshold parts, read from eval_params.  Each boolean is
-- named after its rule; warnings_*.sql and asset_flags.sql pick them and attach the
-- facts.  A view: each of them reads only the booleans it needs, and nothing is
-- written per evaluation.  A disposed asset (已处置) no longer operates: it is judged
-- only by the flags, never by a warning (Y07 is read from the disposal ledger).
-- CASE guards keep the calendar arithmetic off rows that cannot match.
-- rules: IDLE, LE1–LE4, Y01, Y05, Y06, Y08, Y09, R01, R02, R08, R09, R10
-- used by: dashboard/rules.py
SELECT f.*,
       -- §2 idle and low efficiency (operating assets)
       stopped AND CASE WHEN stop_date <= p.as_of
                        THEN stop_date + to_months(p.idle_months) <= p.as_of ELSE false END AS idle,
       stopped AND stop_date IS NULL AS qa_stopped_undated,
       operating AND design_capacity > 0
           AND actual_capacity < p.capacity_ratio * design_capacity AS le3,
       -- §3 yellow
       active AND CASE WHEN revitalised_date <= p.as_of
                       THEN p.as_of <= revitalised_date + to_months(p.revitalised_watch_months)
                       ELSE false END AS y05,
       open_contract AND contract_end BETWEEN p.as_of + to_months(p.contract_red_months)
                                          AND p.as_of + to_months(p.contract_yellow_months) AS y08,
       open_contract AND CASE WHEN contract_end < p.as_of
                              THEN contract_end + to_months(p.contract_red_months) < p.as_of
                                   AND p.as_of <= contract_end + to_months(p.contract_yellow_months)
                              ELSE false END AS y09,
       -- §3 red
       active AND principal > 0 AND principal_due < p.as_of
           AND coalesce(principal_recovered, 0) < principal AS r02,
       open_contract AND p.as_of <= contract_end
           AND contract_end < p.as_of + to_months(p.contract_red_months) AS r09,
       open_contract AND CASE WHEN contract_end < p.as_of
                              THEN contract_end + to_months(p.contract_yellow_months) < p.as_of
                              ELSE false END AS r10
FROM asset_facts f CROSS JOIN eval_params p
