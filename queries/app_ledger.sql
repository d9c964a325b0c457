-- 资产台账: every column of the filtered assets with their evaluation, narrowed by the
-- free-text $search (asset and project names, operator, custodian, village, town, ID),
-- sorted by the column named $sort ($desc for descending), one page of $limit rows
-- from $offset ($limit NULL = all rows, for the export).  The page's row_ids are found
-- on the sort column alone; only those rows are then read in full (fast at 100k assets).
WITH matched AS NOT MATERIALIZED (
    SELECT a.* EXCLUDE (row_id, source_file, source_sheet, source_row, qa),
           f.level, array_to_string(f.rules, '、') AS rules, array_to_string(f.flags, '、') AS flags,
           f.batch_suggested, f.signoff_tier,
           a.source_file, a.source_row, a.row_id
    FROM app_filtered($towns, $villages, $categories, $types, $funds, $year_from, $year_to, $levels, $batches) f
    JOIN assets a ON a.row_id = f.row_id
    WHERE $search = ''
       OR contains(a.asset_name, $search) OR contains(a.project_name, $search)
       OR contains(a.operator, $search) OR contains(a.custodian, $search)
       OR contains(a.village, $search) OR contains(a.town, $search) OR contains(a.asset_id, $search)
),
page AS (
    SELECT row_id, row_number() OVER () AS pos FROM (
        SELECT row_id FROM matched
        ORDER BY CASE WHEN $desc THEN NULL ELSE COLUMNS($sort) END ASC NULLS LAST,
                 CASE WHEN $desc THEN COLUMNS($sort) END DESC NULLS LAST,
                 row_id
        LIMIT $limit OFFSET $offset)
)
SELECT m.* FROM page p JOIN matched m USING (row_id) ORDER BY p.pos
