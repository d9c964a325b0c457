-- Management checks MG1–MG6 (verification.md §1, seed 四(三) 项目资产管理运维): what the asset
-- ledger's own row says about 确权移交, 产权主体, 管理平台, 管护 and contracts, as of $as_of, on
-- every asset whose 处置状态 ≠ 已处置 (OUT_OF_SCOPE assets included).  A finding is a
-- system-found problem of aspect 项目资产管理运维; it raises no warning level (it is not in
-- rule_hits).  An empty cell is NULL or blanks; "empty counts" as the check says.
-- One row per fired check: asset_row, asset_id, rule_id, facts (explain.py's sentence).
-- The checks' parts that do not depend on $as_of were judged when the ledgers were loaded
-- (facts/management_facts.sql, one row per asset some check fires on); here MG1 adds its date —
-- a 确权日期 after $as_of — for those assets and for the few others the date alone makes fire,
-- found by a scan of two date and status columns (the whole judgement at 1M assets cost 0.15 s
-- an evaluation; this 0.01 s).
-- rules: MG1–MG6
-- used by: dashboard/rules.py
WITH dated AS (
    SELECT row_id FROM assets
    WHERE ownership_date > $as_of AND disposal_status IS DISTINCT FROM '已处置'
), fired AS MATERIALIZED (
    SELECT * REPLACE (mg1 OR ownership_date > $as_of AS mg1) FROM management_facts
    UNION ALL
    SELECT row_id, asset_id, category, ownership_status, ownership_date, owner_level, owner_unit,
           platform, custodian, custodian_person, operating_mode, operator, contract_start,
           contract_end, contract_income, true, false, false, false, false, false
    FROM assets SEMI JOIN dated USING (row_id) ANTI JOIN management_facts USING (row_id)
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
