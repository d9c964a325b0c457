-- Flags that are not warnings: PLEDGE (六(四)4: assets must never secure debts),
-- OUT_OF_SCOPE (三、工作范围: built before $scope_start_year, or funded from outside the
-- plan's sources) and QA (a cell of the asset's row was loaded with a doubt).
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
SELECT row_id, 'OUT_OF_SCOPE', NULL,
       to_json(struct_pack(reason :=
           '资金来源“' || funding_source || '”不属于财政专项扶贫资金、衔接推进乡村振兴补助资金、易地扶贫搬迁资金'))
FROM asset_facts WHERE source_outside AND NOT coalesce(build_year < $scope_start_year, false)

UNION ALL
SELECT row_id, 'QA', NULL,
       to_json(struct_pack(problem := '资产台账第' || source_row || '行有单元格无法识别或存疑，详见导入问题清单'))
FROM asset_facts WHERE qa
