-- Flags that are not warnings: PLEDGE (六(四)4: assets must never secure debts),
-- OUT_OF_SCOPE (三、工作范围: built before $scope_start_year, or funded from outside the
-- edition's funds in force at $as_of) and QA (a cell of the asset's row was loaded with a doubt).
-- One row per flag: asset_row, rule_id, key_date, facts (rule_hits.sql adds the 资产编号).
-- rules: PLEDGE, OUT_OF_SCOPE, QA (flags, not warnings)
-- used by: dashboard/rules.py
SELECT row_id AS asset_row, 'PLEDGE' AS rule_id, NULL::DATE AS key_date,
       to_json(struct_pack(pledge := pledge)) AS facts
FROM asset_facts WHERE pledged

UNION ALL
-- any asset can be too old, so this one reads the ledger's 建成年度 itself
SELECT row_id, 'OUT_OF_SCOPE', NULL,
       to_json(struct_pack(reason := '建成年度' || build_year || '早于' || $scope_start_year || '年'))
FROM assets WHERE build_year < $scope_start_year

UNION ALL
-- the funds in scope are the edition's in force at $as_of (rules/fund_scope.sql)
SELECT a.row_id, 'OUT_OF_SCOPE', NULL,
       to_json(struct_pack(reason :=
           '资金来源“' || a.funding_source || '”不属于' || array_to_string($fund_names, '、')))
FROM assets a JOIN fund_scope f ON f.funding_source = a.funding_source
WHERE f.outside AND NOT coalesce(a.build_year < $scope_start_year, false)

UNION ALL
SELECT row_id, 'QA', NULL,
       to_json(struct_pack(problem := '资产台账第' || source_row || '行有单元格无法识别或存疑，详见导入问题清单'))
FROM asset_facts WHERE qa
