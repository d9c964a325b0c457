-- 数据质量 (漏项错项, verification.md §2): the DQ1–DQ4 findings in the user's scope, each with its
-- reporting authority — the banner department its asset's 主管部门 names (by name or alias:
-- $department_spellings → $department_names), else its 所在镇, else 未明确 — optionally only
-- one authority's ($authority; NULL = all): the rows of the page, of dq.csv and of the workbook
-- each authority gets back.
-- rules: DQ1–DQ4
-- used by: pages/quality.py, dashboard/dq.py
SELECT coalesce($department_names[list_position($department_spellings, f.department)], f.town, '未明确')
           AS authority,
       f.sheet, f.row, f.asset_id, f.column_name AS "column", f.check_id AS "check", f.check_name,
       f.value, f.reason, f.source_file, f.sheet_kind
FROM dq_found f
WHERE (NOT scoped($filters) OR in_scope($filters, f.town, f.village, f.department))
  AND ($authority IS NULL OR authority = $authority)
ORDER BY authority, f.source_file, f.sheet_kind, f.row, f.col_pos, f.check_id
