-- Every rule that reads only 资产台账, judged in ONE pass over the ledger (a million-
-- row ledger scanned once, not once per rule).  Each boolean is named after its rule;
-- warnings_*.sql and asset_flags.sql pick them and attach the facts.  Only assets with
-- some rule true are kept.  A disposed asset (已处置) no longer operates: it is judged
-- only by the flags, never by a warning (Y07 is read from the disposal ledger).
-- CASE guards keep the calendar arithmetic off rows that cannot match.
SELECT * EXCLUDE (active, operating, open_contract) FROM (
    SELECT row_id, asset_id, operating_status, stop_date, design_capacity, actual_capacity,
           deemed_inefficient, contract_end, principal, principal_due, principal_recovered,
           judicial_recovery, disposal_circumstance, disposal_status, revitalised_date,
           pledge, build_year, funding_source, source_row, qa,
           disposal_status IS DISTINCT FROM '已处置' AS active,
           active AND category = '经营性' AS operating,
           active AND renewed IS DISTINCT FROM '是' AND contract_end IS NOT NULL AS open_contract,
           -- §2 idle and low efficiency (operating assets)
           operating AND operating_status = '停运'
               AND CASE WHEN stop_date <= $as_of
                        THEN stop_date + to_months($idle_months) <= $as_of ELSE false END AS idle,
           operating AND operating_status = '停运' AND stop_date IS NULL AS qa_stopped_undated,
           operating AND design_capacity > 0
               AND actual_capacity < $capacity_ratio * design_capacity AS le3,
           operating AND deemed_inefficient = '是' AS le4,
           -- §3 yellow
           active AND operating_status = '一般' AS y01,
           active AND CASE WHEN revitalised_date <= $as_of
                           THEN $as_of <= revitalised_date + to_months($revitalised_watch_months)
                           ELSE false END AS y05,
           active AND judicial_recovery = '是' AS y06,
           open_contract AND contract_end BETWEEN $as_of + to_months($contract_red_months)
                                              AND $as_of + to_months($contract_yellow_months) AS y08,
           open_contract AND CASE WHEN contract_end < $as_of
                                  THEN contract_end + to_months($contract_red_months) < $as_of
                                       AND $as_of <= contract_end + to_months($contract_yellow_months)
                                  ELSE false END AS y09,
           -- §3 red
           active AND operating_status = '不正常' AS r01,
           active AND principal > 0 AND principal_due < $as_of
               AND coalesce(principal_recovered, 0) < principal AS r02,
           active AND nullif(trim(disposal_circumstance), '') IS NOT NULL AS r08,
           open_contract AND $as_of <= contract_end
               AND contract_end < $as_of + to_months($contract_red_months) AS r09,
           open_contract AND CASE WHEN contract_end < $as_of
                                  THEN contract_end + to_months($contract_yellow_months) < $as_of
                                  ELSE false END AS r10,
           -- flags (六(四)4 抵押担保; 三、工作范围)
           nullif(trim(pledge), '') IS NOT NULL
               AND trim(pledge) NOT IN ('否', '无', '未抵押', '没有') AS pledged,
           build_year < $scope_start_year
               OR (nullif(trim(funding_source), '') IS NOT NULL
                   AND NOT (funding_source LIKE '%财政专项扶贫资金%'
                            OR funding_source LIKE '%衔接推进乡村振兴补助资金%'
                            OR funding_source LIKE '%衔接资金%'
                            OR funding_source LIKE '%易地扶贫搬迁%')) AS out_of_scope
    FROM assets
)
WHERE idle OR qa_stopped_undated OR le3 OR le4 OR y01 OR y05 OR y06 OR y08 OR y09
   OR r01 OR r02 OR r08 OR r09 OR r10 OR pledged OR out_of_scope OR qa
