-- What each asset's own row says about the management checks MG1–MG6 (verification.md §1),
-- judged ONCE when the ledgers are loaded, as asset_facts.sql is: every part of the checks but
-- MG1's date (确权日期 after $as_of), which rules/management_checks.sql adds at evaluation.
-- Sparse: one row per asset not 已处置 on which some check fires whatever the date, with the
-- cells the findings' facts quote.  No $parameters here, on purpose.
-- An empty cell is NULL or blanks.  A blank test trims only a text that sorts before '!' (starts
-- with a space or control character: the importer already strips cells; trimming every cell of a
-- million rows cost a second), and no CASE in the scan (a CASE over a million rows cost ~0.1 s).
-- rules: MG1–MG6 (their load-time parts)
-- used by: dashboard/model.py
SELECT * FROM (
    SELECT row_id, asset_id, category, ownership_status, ownership_date, owner_level, owner_unit,
           platform, custodian, custodian_person, operating_mode, operator, contract_start,
           contract_end, contract_income,
           -- MG1 未确权移交 (without its date part)
           ownership_status IS DISTINCT FROM '已确权' OR ownership_date IS NULL AS mg1,
           -- MG2 产权主体不明
           owner_level IS NULL OR owner_level NOT IN ('旗', '镇', '嘎查村', '农户')
               OR owner_unit IS NULL OR owner_unit = '' OR (owner_unit < '!' AND trim(owner_unit) = '') AS mg2,
           -- MG3 未纳入对应管理平台 (not checked for 农户 or an unknown 产权归属)
           (owner_level IN ('旗', '镇') AND platform IS DISTINCT FROM '国有资产平台')
               OR (owner_level = '嘎查村' AND platform IS DISTINCT FROM '三资平台') AS mg3,
           -- MG4 管护主体或责任人未明确
           category IN ('经营性', '公益性')
               AND (custodian IS NULL OR custodian = '' OR (custodian < '!' AND trim(custodian) = '')
                    OR custodian_person IS NULL OR custodian_person = ''
                    OR (custodian_person < '!' AND trim(custodian_person) = '')) AS mg4,
           -- MG5 经营无合同（有租无合同）
           operating_mode IN ('出租经营', '委托经营', '入股经营')
               AND (contract_start IS NULL OR contract_end IS NULL
                    OR operator IS NULL OR operator = '' OR (operator < '!' AND trim(operator) = '')) AS mg5,
           -- MG6 合同未约定收益
           operating_mode IN ('出租经营', '委托经营') AND coalesce(contract_income, 0) = 0 AS mg6
    FROM assets
    WHERE disposal_status IS DISTINCT FROM '已处置'
)
WHERE mg1 OR mg2 OR mg3 OR mg4 OR mg5 OR mg6
