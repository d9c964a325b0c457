-- Milestones M1–M6 for the banner: the share at the due date (NULL while the date is still
-- ahead of the report) and at the report's date.
SELECT d.milestone, d.due_date, d.due_date > $as_of AS pending,
       CASE WHEN d.due_date <= $as_of THEN d.done END AS done_at_due,
       CASE WHEN d.due_date <= $as_of THEN d.total END AS total_at_due,
       CASE WHEN d.due_date <= $as_of THEN d.share END AS share_at_due,
       n.done, n.total, n.share
FROM milestones d
LEFT JOIN milestones n ON n.milestone = d.milestone AND n.town IS NULL AND n.is_as_of
WHERE d.town IS NULL AND d.is_due
ORDER BY d.milestone
