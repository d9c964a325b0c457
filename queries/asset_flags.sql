-- Flags that are not warnings (judged in asset_checks.sql): PLEDGE (六(四)4: assets must
-- never secure debts), OUT_OF_SCOPE (三、工作范围) and QA (a cell of the asset's row was
-- loaded with a doubt).
SELECT row_id AS asset_row, asset_id, 'PLEDGE' AS rule_id, NULL::DATE AS key_date,
       to_json(struct_pack(pledge := pledge)) AS facts
FROM asset_checks WHERE pledged

UNION ALL
SELECT row_id, asset_id, 'OUT_OF_SCOPE', NULL,
       to_json(struct_pack(reason := CASE
           WHEN build_year < $scope_start_year THEN '建成年度' || build_year || '早于' || $scope_start_year || '年'
           ELSE '资金来源“' || funding_source || '”不属于财政专项扶贫资金、衔接推进乡村振兴补助资金、易地扶贫搬迁资金'
       END))
FROM asset_checks WHERE out_of_scope

UNION ALL
SELECT row_id, asset_id, 'QA', NULL,
       to_json(struct_pack(problem := '资产台账第' || source_row || '行有单元格无法识别或存疑，详见导入问题清单'))
FROM asset_checks WHERE qa
