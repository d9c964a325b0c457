-- 处置与销号: the dated steps of the filtered 处置台账 rows (the first $limit disposals of
-- shared/disposal_register.sql's order, those with violations first), one row per step with a date,
-- for the timeline (rows named by their asset); `step` is the template column name.
-- rules: DP1–DP6
-- used by: pages/disposal.py
WITH picked AS (
    SELECT c.row_id, c.asset_id, a.asset_name, len(c.violations) > 0 AS violating, c.town, c.village
    FROM filtered_disposals($filters) c
    LEFT JOIN assets a ON a.row_id = c.asset_row
    WHERE c.row_id IS NOT NULL
    ORDER BY NOT violating, c.town COLLATE zh, c.village COLLATE zh, c.row_id
    LIMIT $limit
),
steps(step, idx) AS (VALUES
    ('village_apply_date', 1), ('village_notice_start', 2), ('village_notice_end', 3),
    ('town_review_date', 4), ('review_notice_start', 5), ('review_notice_end', 6),
    ('web_notice_start', 7), ('web_notice_end', 8), ('approval_date', 9), ('disposal_date', 10),
    ('proceeds_allocated_date', 11)
),
dated AS (
    UNPIVOT (SELECT row_id, village_apply_date, village_notice_start, village_notice_end, town_review_date,
                    review_notice_start, review_notice_end, web_notice_start, web_notice_end,
                    approval_date, disposal_date, proceeds_allocated_date
             FROM disposals WHERE row_id IN (SELECT row_id FROM picked))
    ON COLUMNS(* EXCLUDE (row_id)) INTO NAME step VALUE step_date
)
SELECT p.row_id, p.asset_id, p.asset_name, p.town, p.village, p.violating, s.idx, d.step, d.step_date
FROM picked p
JOIN dated d ON d.row_id = p.row_id
JOIN steps s ON s.step = d.step
ORDER BY NOT p.violating, p.town COLLATE zh, p.village COLLATE zh, p.row_id, s.idx
