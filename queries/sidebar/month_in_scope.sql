-- How many assets of the user's scope a saved month holds: a sign-in opens on the latest
-- month holding any.  Reads the view month_assets (town, village, department of the month's
-- file, attached as `snap`); the scope fields of $filters as queries/filters/sidebar.sql's
-- in_scope applies them (blank = '未填写'; the macros need an evaluated cursor, this does not).
-- rules: — (which month to show)
-- used by: dashboard/landing.py
SELECT count(*) AS assets FROM month_assets a
WHERE ($filters['scope_town'] IS NULL OR coalesce(a.town, '未填写') = $filters['scope_town'])
  AND ($filters['scope_village'] IS NULL OR coalesce(a.village, '未填写') = $filters['scope_village'])
  AND (len($filters['scope_departments']) = 0
       OR coalesce(list_contains($filters['scope_departments'], a.department), false))
