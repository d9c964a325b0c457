-- 处置与销号: the facts of ONE disposal for its 处置审批表 (附件2 of the work plan), picked from
-- shared/disposal_register.sql by its 处置台账 row ($row_id; NULL for an 已处置 asset missing
-- from the ledger, DP6) and its 资产编号 ($asset_id): the asset (资产台账), the disposal and
-- its procedure dates (处置台账), the path it was checked on.  No row when the disposal is
-- outside the user's filters and scope.
-- rules: DP1–DP6 (the path of disposal_checks; reads no violation)
-- used by: pages/disposal.py
-- formats: original_value=万元, proceeds=万元
SELECT c.row_id, c.asset_id, a.asset_name, a.project_name, coalesce(a.town, '未填写') AS town, a.village,
       a.category, a.asset_type, a.build_year, a.original_value, a.funding_source, a.owner_level, a.owner_unit,
       a.department, coalesce(d.circumstance, a.disposal_circumstance) AS circumstance, d.method,
       d.simplified, d.batch_id, c.path, d.village_apply_date, d.village_notice_start, d.village_notice_end,
       d.third_party_valuation, d.town_review_date, d.review_notice_start, d.review_notice_end,
       d.web_notice_start, d.web_notice_end, d.approval_date, d.disposal_date, d.proceeds,
       d.proceeds_allocated_date, d.proceeds_project
FROM filtered_disposals($filters) c
LEFT JOIN assets a ON a.row_id = c.asset_row
LEFT JOIN disposals d ON d.row_id = c.row_id
WHERE c.row_id IS NOT DISTINCT FROM $row_id AND c.asset_id IS NOT DISTINCT FROM $asset_id
LIMIT 1
