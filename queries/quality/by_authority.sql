-- 数据质量: per reporting authority (as quality/findings.sql) in the user's scope, the findings by
-- check DQ1–DQ4, the cells checked and 完整率 = cells filled and valid ÷ cells checked
-- (verification.md §2; a cell with two findings is one bad cell).  Lowest 完整率 first.
-- rules: DQ1–DQ4
-- used by: pages/quality.py, dashboard/dq.py
WITH named AS (
    SELECT coalesce($department_names[list_position($department_spellings, f.department)], f.town, '未明确')
               AS authority, f.*
    FROM dq_found f
    WHERE NOT scoped($filters) OR in_scope($filters, f.town, f.village, f.department)
),
counts AS (
    SELECT authority, count(*) FILTER (check_id = 'DQ1') AS dq1, count(*) FILTER (check_id = 'DQ2') AS dq2,
           count(*) FILTER (check_id = 'DQ3') AS dq3, count(*) FILTER (check_id = 'DQ4') AS dq4,
           count(*) AS findings,
           count(DISTINCT (source_file, sheet_kind, row, column_name)) AS bad_cells
    FROM named GROUP BY authority
),
cells AS (
    SELECT coalesce($department_names[list_position($department_spellings, c.department)], c.town, '未明确')
               AS authority, sum(c.cells) AS cells
    FROM dq_checked_cells c
    WHERE NOT scoped($filters) OR in_scope($filters, c.town, c.village, c.department)
    GROUP BY 1
)
SELECT coalesce(c.authority, k.authority) AS authority,
       coalesce(k.dq1, 0) AS dq1, coalesce(k.dq2, 0) AS dq2, coalesce(k.dq3, 0) AS dq3,
       coalesce(k.dq4, 0) AS dq4, coalesce(k.findings, 0) AS findings,
       coalesce(c.cells, 0)::BIGINT AS cells, coalesce(k.bad_cells, 0) AS bad_cells,
       CASE WHEN coalesce(c.cells, 0) > 0
            THEN greatest(c.cells - coalesce(k.bad_cells, 0), 0) / c.cells END AS complete_rate
FROM cells c FULL JOIN counts k ON k.authority = c.authority
ORDER BY complete_rate NULLS LAST, authority
