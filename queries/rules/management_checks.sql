-- Management checks MG1–MG6 (verification.md §1, seed 四(三) 项目资产管理运维): what the asset
-- ledger's own row says about 确权移交, 产权主体, 管理平台, 管护 and contracts, as of $as_of, on
-- every asset whose 处置状态 ≠ 已处置 (OUT_OF_SCOPE assets included).  A finding is a
-- system-found problem of aspect 项目资产管理运维; it raises no warning level (it is not in
-- rule_hits).  An empty cell is NULL or blanks; "empty counts" as the check says.
-- One row per fired check: asset_row, asset_id, rule_id, facts (explain.py's sentence).
-- One scan of 资产台账 decides all six; the facts are built only for the rows that fired.  A blank
-- test trims only a text that sorts before '!' (starts with a space or control character: the
-- importer already strips cells; trimming every cell of a million rows cost a second), and no
-- CASE in the scan (a CASE over a million rows cost ~0.1 s each).
-- rules: MG1–MG6
-- used by: dashboard/rules.py
WITH judged AS (
    SELECT row_id, asset_id, category, ownership_status, ownership_date, owner_level, owner_unit,
           platform, custodian, custodian_person, operating_mode, operator, contract_start,
           contract_end, contract_income,
           -- MG1 未确权移交
           ownership_status IS DISTINCT FROM '已确权' OR ownership_date IS NULL
               OR ownership_date > $as_of AS mg1,
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
), fired AS MATERIALIZED (
    SELECT * FROM judged WHERE mg1 OR mg2 OR mg3 OR mg4 OR mg5 OR mg6
)
SELECT row_id AS asset_row, asset_id, 'MG1' AS rule_id,
       to_json(struct_pack(
           ownership_status := coalesce(nullif(trim(ownership_status), ''), '未填写'),
           ownership_date := ownership_date,
           problem := CASE WHEN ownership_status IS DISTINCT FROM '已确权' THEN '尚未确权移交'
                           WHEN ownership_date IS NULL THEN '未登记确权日期，不能认定已确权移交'
                           ELSE '尚未确权移交（确权日期在其后）' END)) AS facts
FROM fired WHERE mg1 AND NOT list_contains($not_evaluated, 'MG1')

UNION ALL
SELECT row_id, asset_id, 'MG2',
       to_json(struct_pack(problem := concat_ws('，',
           CASE WHEN nullif(trim(owner_level), '') IS NULL THEN '产权归属未填写'
                WHEN owner_level NOT IN ('旗', '镇', '嘎查村', '农户')
                THEN '产权归属“' || owner_level || '”不是旗、镇、嘎查村或农户' END,
           CASE WHEN nullif(trim(owner_unit), '') IS NULL THEN '产权单位（所有权主体）未填写' END)))
FROM fired WHERE mg2 AND NOT list_contains($not_evaluated, 'MG2')

UNION ALL
SELECT row_id, asset_id, 'MG3',
       to_json(struct_pack(
           owner_level := owner_level,
           platform := coalesce(nullif(trim(platform), ''), '空（视为否）'),
           required := CASE WHEN owner_level = '嘎查村' THEN '农村牧区集体“三资”管理平台'
                            ELSE '国有资产管理平台' END))
FROM fired WHERE mg3 AND NOT list_contains($not_evaluated, 'MG3')

UNION ALL
SELECT row_id, asset_id, 'MG4',
       to_json(struct_pack(
           category := category,
           missing := concat_ws('和',
               CASE WHEN nullif(trim(custodian), '') IS NULL THEN '管护主体' END,
               CASE WHEN nullif(trim(custodian_person), '') IS NULL THEN '管护责任人' END)))
FROM fired WHERE mg4 AND NOT list_contains($not_evaluated, 'MG4')

UNION ALL
SELECT row_id, asset_id, 'MG5',
       to_json(struct_pack(
           operating_mode := operating_mode,
           missing := concat_ws('、',
               CASE WHEN contract_start IS NULL THEN '合同起始日期' END,
               CASE WHEN contract_end IS NULL THEN '合同到期日期' END,
               CASE WHEN nullif(trim(operator), '') IS NULL THEN '运营主体' END)))
FROM fired WHERE mg5 AND NOT list_contains($not_evaluated, 'MG5')

UNION ALL
SELECT row_id, asset_id, 'MG6',
       to_json(struct_pack(operating_mode := operating_mode, contract_income := contract_income))
FROM fired WHERE mg6 AND NOT list_contains($not_evaluated, 'MG6')
