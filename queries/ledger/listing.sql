-- 资产台账: every column of the filtered assets matching the free-text $search (see
-- ledger_matches in filters/sidebar.sql) with their evaluation, sorted by the column
-- named $sort ($desc for descending), one page of $limit rows from $offset ($limit NULL
-- = all rows, for the export).  The page's row_ids are found on the sort column alone;
-- only those rows are then read in full (fast at 100k assets), with their warnings' facts.
-- 报送主体 (authority): the banner department its 主管部门 names (by name or alias, the lists
-- $department_spellings / $department_names kept by the administrator), else its 所在镇.
-- 报送状态 (report_state): 沿用上月 for a row a consolidation carried forward from the month
-- before because its authority had not reported (dashboard/monthly/carry.py marks its 来源文件).
-- rules: every rule (level, rules and flags fired per asset)
-- used by: pages/ledger.py
-- formats: original_value=万元, net_value=万元, contract_income=万元, principal=万元, principal_recovered=万元
WITH matched AS NOT MATERIALIZED (
    SELECT m.* EXCLUDE (row_id, source_file, source_sheet, source_row, qa,
                        level, rules, flags, batch_suggested, signoff_tier),
           m.level, array_to_string(m.rules, '、') AS rules, array_to_string(m.flags, '、') AS flags,
           m.batch_suggested, m.signoff_tier,
           coalesce($department_names[list_position($department_spellings, trim(m.department))],
                    m.town) AS authority,
           CASE WHEN starts_with(m.source_file, '沿用上月') THEN '沿用上月' END AS report_state,
           m.source_file, m.source_row, m.row_id
    FROM ledger_matches($filters, $search) m
),
page AS (
    SELECT row_id, row_number() OVER () AS pos FROM (
        SELECT row_id FROM matched
        ORDER BY CASE WHEN $desc THEN NULL ELSE COLUMNS($sort) END ASC NULLS LAST,
                 CASE WHEN $desc THEN COLUMNS($sort) END DESC NULLS LAST,
                 row_id
        LIMIT $limit OFFSET $offset)
)
SELECT m.*, w.warnings
FROM page p
JOIN matched m USING (row_id)
LEFT JOIN (   -- the page's red and yellow warnings with their facts, for the 预警原因 sentence
    SELECT asset_row, list({'rule_id': rule_id, 'facts': facts}
                           ORDER BY CASE level WHEN 'red' THEN 0 ELSE 1 END, rule_id) AS warnings
    FROM rule_hits
    WHERE level IN ('red', 'yellow') AND asset_row IN (SELECT row_id FROM page)
    GROUP BY asset_row
) w ON w.asset_row = m.row_id
ORDER BY p.pos
