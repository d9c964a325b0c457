-- The parameters of this evaluation as a one-row table, for the views (a view
-- cannot bind $parameters) and so any query can show what was in force.
-- rules: every threshold rule (the parameters in force)
-- used by: dashboard/rules.py
SELECT CAST($as_of AS DATE) AS as_of, $yr AS last_full_year,
       $idle_months::INTEGER AS idle_months,
       $capacity_ratio::DOUBLE AS capacity_ratio,
       $revitalised_watch_months::INTEGER AS revitalised_watch_months,
       $contract_yellow_months::INTEGER AS contract_yellow_months,
       $contract_red_months::INTEGER AS contract_red_months,
       $tier_t1_max::DECIMAL(18,2) AS tier_t1_max,
       $tier_t2_max::DECIMAL(18,2) AS tier_t2_max,
       $tier_t3_max::DECIMAL(18,2) AS tier_t3_max
