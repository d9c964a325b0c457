-- Flags that are not warnings: PLEDGE (六(四)4: assets must never secure debts),
-- OUT_OF_SCOPE (三、工作范围) and QA (a cell of the asset's row was loaded with a doubt).
SELECT row_id AS asset_row, asset_id, 'PLEDGE' AS rule_id, NULL::DATE AS key_date,
       to_json(struct_pack(pledge := pledge)) AS facts
FROM assets
WHERE nullif(trim(pledge), '') IS NOT NULL AND trim(pledge) NOT IN ('否', '无', '未抵押', '没有')

UNION ALL
SELECT row_id, asset_id, 'OUT_OF_SCOPE', NULL,
       to_json(struct_pack(reason := CASE
           WHEN build_year < $scope_start_year THEN '建成年度' || build_year || '早于' || $scope_start_year || '年'
           ELSE '资金来源“' || funding_source || '”不属于财政专项扶贫资金、衔接推进乡村振兴补助资金、易地扶贫搬迁资金'
       END))
FROM assets
WHERE build_year < $scope_start_year
   OR (nullif(trim(funding_source), '') IS NOT NULL
       AND NOT (funding_source LIKE '%财政专项扶贫资金%'
                OR funding_source LIKE '%衔接推进乡村振兴补助资金%'
                OR funding_source LIKE '%衔接资金%'
                OR funding_source LIKE '%易地扶贫搬迁%'))

UNION ALL
SELECT row_id, asset_id, 'QA', NULL,
       to_json(struct_pack(problem := '资产台账第' || source_row || '行有单元格无法识别或存疑，详见导入问题清单'))
FROM assets
WHERE qa
