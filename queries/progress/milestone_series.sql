-- 盘活进度: the month-end series of every milestone up to $as_of (and $as_of itself), for
-- the banner (town NULL) when no town is picked in the sidebar, else for each picked town.
-- rules: M1–M6 (the edition's milestones)
-- used by: pages/progress.py
-- formats: share=%
SELECT milestone, name, town, at_date, due_date, is_due, done, total, share
FROM milestones
WHERE at_date <= $as_of
  AND milestone_in_scope($filters, town)
  AND CASE WHEN len($filters['towns']) = 0 THEN town IS NOT DISTINCT FROM $filters['scope_town']
           ELSE list_contains($filters['towns'], town) END
ORDER BY milestone, town COLLATE zh, at_date
