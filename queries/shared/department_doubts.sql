-- 主管部门 values that name no banner department (by name or alias, the lists
-- $department_spellings kept by the administrator) and not the asset's own town (a town's
-- government supervising its own asset is right): QA doubts, with how many assets say so
-- and one of them.  Asked on 系统管理 (to extend the list) and after an upload.
-- rules: — (QA: the reporting authority of 四级共管)
-- used by: pages/admin.py, pages/upload.py
SELECT trim(a.department) AS department, count(*) AS assets, min(a.asset_id) AS example
FROM filtered_assets($filters) x
JOIN assets a ON a.row_id = x.row_id
WHERE nullif(trim(a.department), '') IS NOT NULL
  AND NOT list_contains($department_spellings, trim(a.department))
  AND NOT contains(a.department, coalesce(a.town, chr(0)))
GROUP BY 1
ORDER BY 2 DESC, 1 COLLATE zh
