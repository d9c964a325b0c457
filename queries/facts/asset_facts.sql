-- What the asset ledger itself says, judged ONCE when the ledgers are loaded: the parts
-- of the rules that depend on neither $as_of nor any threshold (is the asset disposed,
-- operating, stopped, pledged, ...).  Evaluating
-- at another date or with other thresholds then never re-reads a million text cells;
-- asset_checks.sql adds the date and threshold parts.  No $parameters here, on purpose.
--
-- Sparse: one row per asset some rule can concern — operating or disposed assets, any
-- asset with a status fact below, a 盘活日期, a contract or a principal, and any asset
-- the disposal ledger names.  A public-welfare asset with none of these can only fire
-- OUT_OF_SCOPE by its 建成年度 or 资金来源, which asset_flags.sql reads from the ledger directly.
-- rules: IDLE, LE1–LE4, Y01, Y06, R01, R08, C2 (their load-time parts), PLEDGE
-- used by: dashboard/model.py
SELECT * FROM (
    SELECT row_id, asset_id, town, village, build_year, original_value, owner_level, source_row,
           disposal_status IS DISTINCT FROM '已处置' AS active,
           NOT active AS disposed,
           category = '经营性' AS operating_category,   -- disposed or not (M5's baseline)
           active AND operating_category AS operating,
           operating AND operating_status = '停运' AS stopped,
           -- LE1's equity-type assets (§9): 入股经营, or any income row with a 约定分红日期
           operating AND (operating_mode = '入股经营'
                          OR row_id IN (SELECT asset_row FROM income WHERE dividend_due_date IS NOT NULL))
               AS equity_share,
           operating AND deemed_inefficient = '是' AS le4,
           active AND operating_status = '一般' AS y01,
           active AND judicial_recovery = '是' AS y06,
           active AND operating_status = '不正常' AS r01,
           active AND nullif(trim(disposal_circumstance), '') IS NOT NULL AS r08,
           active AND renewed IS DISTINCT FROM '是' AND contract_end IS NOT NULL AS open_contract,
           -- flags (六(四)4 抵押担保; a cell loaded with a doubt).  三、工作范围 by 资金来源
           -- depends on the edition in force at $as_of: rules/fund_scope.sql judges it.
           nullif(trim(pledge), '') IS NOT NULL
               AND trim(pledge) NOT IN ('否', '无', '未抵押', '没有') AS pledged,
           qa,
           row_id IN (SELECT asset_row FROM income WHERE asset_row IS NOT NULL) AS has_income, -- C2
           -- the dates and amounts the date and threshold rules read
           stop_date, design_capacity, actual_capacity, revitalised_date,
           contract_start, contract_end, contract_income,
           principal, principal_due, principal_recovered,
           -- texts: C4 judges 联农带农; the others are quoted in the facts of the rules above
           CASE WHEN operating THEN benefit_linkage END AS benefit_linkage,
           operating_status, deemed_inefficient, judicial_recovery, disposal_status,
           disposal_circumstance, pledge, funding_source
    FROM assets
)
WHERE operating OR disposed OR y01 OR y06 OR r01 OR r08 OR open_contract OR pledged
   OR qa OR (active AND (revitalised_date IS NOT NULL OR principal > 0
                                           OR contract_income IS NOT NULL))
   OR row_id IN (SELECT asset_row FROM disposals WHERE asset_row IS NOT NULL)
