-- The milestones of the edition in force (M1–M6 in the seed's) for the banner (town NULL) and per town — only the towns of the
-- sidebar's town filter when it is set: the share at the due date (NULL while that date is
-- still ahead of $as_of) and at $as_of.  Milestones are counted per town only, so the
-- other sidebar filters do not apply.  The 盘活进度 page and the reports (no filter:
-- the banner and every town) read it.
-- rules: M1, M2, M3, M4, M5, M6 (and a later edition's milestones)
-- used by: pages/progress.py, dashboard/reports/content.py
-- formats: share_at_due=%, share=%
SELECT d.milestone, d.name, d.measure, d.town, d.due_date, d.due_date > $as_of AS pending,
       CASE WHEN d.due_date <= $as_of THEN d.done END AS done_at_due,
       CASE WHEN d.due_date <= $as_of THEN d.total END AS total_at_due,
       CASE WHEN d.due_date <= $as_of THEN d.share END AS share_at_due,
       n.done, n.total, n.share
FROM milestones d
LEFT JOIN milestones n ON n.milestone = d.milestone AND n.town IS NOT DISTINCT FROM d.town AND n.is_as_of
WHERE d.is_due AND milestone_in_scope($filters, d.town)
  AND (d.town IS NULL OR len($filters['towns']) = 0 OR list_contains($filters['towns'], d.town))
ORDER BY d.milestone, d.town IS NOT NULL, d.town COLLATE zh
