-- 月调度: the reporting authority of every asset of an upload — the banner department its
-- 主管部门 names (by name or alias: $department_spellings → $department_names, kept by the
-- administrator), else its 所在镇 — and why, so a row of another authority is rejected
-- with its reason.
-- rules: — (四级共管: 镇和旗资产主管部门主管; plan 八(二) 月调度)
-- used by: dashboard/monthly/submissions.py
SELECT a.row_id, a.asset_id, a.town, trim(a.department) AS department,
       $department_names[list_position($department_spellings, trim(a.department))] AS named_department,
       coalesce(named_department, a.town) AS authority,
       CASE WHEN named_department IS NOT NULL THEN '主管部门为' || trim(a.department)
            ELSE '所在镇为' || coalesce(a.town, '（空）') END AS why,
       CASE WHEN named_department IS NOT NULL THEN '主管部门' ELSE '所在镇' END AS why_column,
       a.source_file, a.source_sheet, a.source_row
FROM assets a
