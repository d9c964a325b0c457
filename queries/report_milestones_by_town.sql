-- Milestone shares per town at the report's date (rows for towns that have something due).
SELECT town, milestone, done, total, share
FROM milestones
WHERE town IS NOT NULL AND is_as_of
ORDER BY town COLLATE zh, milestone
