-- An older evaluation's system-found problems (the management checks MG1–MG6 that fired then,
-- with their facts and that evaluation's date), in the user's scope, registered on a newer
-- evaluation as prev_checks: shared/resolved_checks lists those gone since as 已整改.
-- rules: MG1–MG6
-- used by: dashboard/ui/data.py
SELECT m.asset_id, m.rule_id, m.facts, p.as_of AS checked_date
FROM management_checks m CROSS JOIN eval_params p
WHERE row_in_scope($filters, m.asset_row, NULL, NULL)
