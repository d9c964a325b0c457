-- Disposal procedure checks DP1–DP6 (policy-rules §6), one row per 处置台账 row
-- plus one per 已处置 asset missing from the disposal ledger (DP6).
-- A step dated after $as_of has not happened yet as of that date.
-- rules: DP1–DP6
-- used by: dashboard/rules.py
WITH path_steps(path, idx, step) AS (VALUES
    ('full', 1, '村申请日期'), ('full', 2, '村公示开始'), ('full', 3, '村公示结束'),
    ('full', 4, '镇审核日期'), ('full', 5, '审核公示开始'), ('full', 6, '审核公示结束'),
    ('full', 7, '网站公示开始'), ('full', 8, '网站公示结束'), ('full', 9, '领导小组批复日期'),
    ('full', 10, '处置日期'),
    ('transfer', 1, '村申请日期'), ('transfer', 2, '村公示开始'), ('transfer', 3, '村公示结束'),
    ('transfer', 4, '镇审核日期'), ('transfer', 5, '审核公示开始'), ('transfer', 6, '审核公示结束'),
    ('transfer', 7, '网站公示开始'), ('transfer', 8, '网站公示结束'),
    ('transfer', 9, '领导小组批复日期'), ('transfer', 10, '处置日期'),
    ('simplified', 1, '村申请日期'), ('simplified', 2, '镇审核日期'),
    ('simplified', 3, '审核公示开始'), ('simplified', 4, '处置日期'),
    ('state', 1, '镇审核日期'), ('state', 2, '领导小组批复日期'), ('state', 3, '处置日期')
),
-- The step that is the path's approval: nothing may be disposed before it.
approval_step(path, step) AS (VALUES
    ('full', '领导小组批复日期'), ('transfer', '领导小组批复日期'),
    ('state', '领导小组批复日期'), ('simplified', '审核公示开始')
),
batches AS (
    SELECT d.batch_id, count(*) AS batch_size, sum(a.original_value) AS batch_total
    FROM disposals d LEFT JOIN asset_facts a ON a.row_id = d.asset_row
    WHERE d.batch_id IS NOT NULL
    GROUP BY d.batch_id
),
dated AS (
    SELECT *,
           -- Steps in the path's order all dated up to the last one, and never earlier
           -- than the step before: nothing for DP1 or DP3 to find at any as_of (a later
           -- step than $as_of only drops off the end).  Only other rows are walked step
           -- by step below.
           list_sort(step_dates, 'ASC', 'NULLS LAST') IS NOT DISTINCT FROM step_dates AS in_order
    FROM (
        SELECT d.*, a.owner_level, a.original_value, b.batch_size, b.batch_total,
               CASE WHEN a.owner_level IN ('旗', '镇') THEN 'state'
                    WHEN d.method IN ('转让', '拍卖') THEN 'transfer'
                    WHEN d.simplified = '是' THEN 'simplified'
                    ELSE 'full' END AS path,
               CASE path
                   WHEN 'state' THEN [d.town_review_date, d.approval_date, d.disposal_date]
                   WHEN 'simplified' THEN [d.village_apply_date, d.town_review_date,
                                           d.review_notice_start, d.disposal_date]
                   ELSE [d.village_apply_date, d.village_notice_start, d.village_notice_end,
                         d.town_review_date, d.review_notice_start, d.review_notice_end,
                         d.web_notice_start, d.web_notice_end, d.approval_date, d.disposal_date]
               END AS step_dates
        FROM disposals d
        LEFT JOIN asset_facts a ON a.row_id = d.asset_row
        LEFT JOIN batches b ON b.batch_id = d.batch_id
    )
),
steps AS (
    SELECT r.row_id, p.idx, p.step,
           CASE WHEN s.d <= $as_of THEN s.d END AS d
    FROM dated r
    JOIN path_steps p ON p.path = r.path AND NOT r.in_order,
    LATERAL (SELECT CASE p.step
        WHEN '村申请日期' THEN r.village_apply_date
        WHEN '村公示开始' THEN r.village_notice_start
        WHEN '村公示结束' THEN r.village_notice_end
        WHEN '镇审核日期' THEN r.town_review_date
        WHEN '审核公示开始' THEN r.review_notice_start
        WHEN '审核公示结束' THEN r.review_notice_end
        WHEN '网站公示开始' THEN r.web_notice_start
        WHEN '网站公示结束' THEN r.web_notice_end
        WHEN '领导小组批复日期' THEN r.approval_date
        WHEN '处置日期' THEN r.disposal_date END AS d) s
),
-- DP1: a step missing before the last step taken (an unfinished disposal is not
-- faulted for steps still ahead of it; a finished one needs every step).
missing AS (
    SELECT s.row_id, list(s.step ORDER BY s.idx) AS missing
    FROM steps s
    JOIN (SELECT row_id, max(idx) FILTER (WHERE d IS NOT NULL) AS last_idx
          FROM steps GROUP BY row_id) l USING (row_id)
    WHERE s.d IS NULL AND s.idx < l.last_idx
    GROUP BY s.row_id
),
-- DP3: a step dated before the step taken just before it.
ordered AS (
    SELECT row_id, step, d,
           lag(step) OVER w AS prev_step, lag(d) OVER w AS prev_d
    FROM steps WHERE d IS NOT NULL
    WINDOW w AS (PARTITION BY row_id ORDER BY idx)
),
out_of_order AS (
    SELECT row_id, list(step || '（' || d || '）早于' || prev_step || '（' || prev_d || '）'
                        ORDER BY d) AS inversions
    FROM ordered WHERE d < prev_d GROUP BY row_id
),
unapproved AS (
    SELECT s.row_id
    FROM steps s JOIN dated r USING (row_id)
    JOIN approval_step a ON a.path = r.path AND a.step = s.step
    WHERE s.d IS NULL AND r.disposal_date <= $as_of
),
-- DP2: public notices shorter than the minimum (both ends inclusive).
notices AS (
    SELECT row_id, list(label || start || '至' || stop || '共' || days || '天') AS short_notices
    FROM (
        SELECT row_id, '村公示' AS label, village_notice_start AS start, village_notice_end AS stop,
               path FROM dated
        UNION ALL SELECT row_id, '审核公示', review_notice_start, review_notice_end, path FROM dated
        UNION ALL SELECT row_id, '网站公示', web_notice_start, web_notice_end, path FROM dated
    ) n, LATERAL (SELECT date_diff('day', n.start, n.stop) + 1 AS days) x
    WHERE path IN ('full', 'transfer') AND stop <= $as_of AND days < $notice_min_days
    GROUP BY row_id
),
checked AS (
    SELECT r.row_id, r.source_file, r.source_row AS sheet_row, r.asset_row, r.asset_id, r.path,
           r.original_value, coalesce(r.batch_id, '无') AS batch_id,
           coalesce(r.batch_size, 1) AS batch_size,
           coalesce(r.batch_total, r.original_value) AS batch_total,
           r.proceeds, r.disposal_date,
           list_concat(coalesce(m.missing, []),
                       CASE WHEN r.path = 'transfer' AND r.third_party_valuation IS DISTINCT FROM '有'
                            THEN ['第三方评估'] ELSE [] END) AS missing,
           n.short_notices,
           list_concat(coalesce(o.inversions, []),
                       CASE WHEN u.row_id IS NOT NULL THEN ['处置日期早于批复或未经批复即处置'] ELSE [] END
                      ) AS inversions,
           (r.path = 'simplified' AND r.original_value > $simplified_single_max
               AND NOT (coalesce(r.batch_size, 0) >= 2 AND r.batch_total <= $simplified_batch_max))
               AS simplified_misused,
           (r.proceeds > 0 AND NOT coalesce(r.proceeds_allocated_date <= $as_of, false))
               AS proceeds_unallocated
    FROM dated r
    LEFT JOIN missing m USING (row_id)
    LEFT JOIN notices n USING (row_id)
    LEFT JOIN out_of_order o USING (row_id)
    LEFT JOIN unapproved u USING (row_id)
)
SELECT row_id, source_file, sheet_row, asset_row, asset_id, path,
       list_filter([CASE WHEN len(missing) > 0 THEN 'DP1' END,
                    CASE WHEN short_notices IS NOT NULL THEN 'DP2' END,
                    CASE WHEN len(inversions) > 0 THEN 'DP3' END,
                    CASE WHEN simplified_misused THEN 'DP4' END,
                    CASE WHEN proceeds_unallocated THEN 'DP5' END],
                   lambda x: x IS NOT NULL AND NOT list_contains($not_evaluated, x)) AS violations,
       -- facts explain violations: an in-order disposal has nothing to explain
       CASE WHEN len(violations) > 0 THEN
       to_json(struct_pack(missing := list_aggregate(missing, 'string_agg', '、'),
                           short_notices := list_aggregate(short_notices, 'string_agg', '；'),
                           "order" := list_aggregate(inversions, 'string_agg', '；'),
                           original_value := original_value, batch_id := batch_id,
                           batch_size := batch_size, batch_total := batch_total,
                           proceeds := proceeds)) END AS facts
FROM checked
UNION ALL
SELECT NULL, NULL, NULL, a.row_id, a.asset_id,
       CASE WHEN a.owner_level IN ('旗', '镇') THEN 'state' ELSE 'full' END,
       ['DP6'], to_json(struct_pack(status := a.disposal_status))
FROM asset_facts a
WHERE a.disposed
  AND NOT EXISTS (SELECT 1 FROM disposals d WHERE d.asset_row = a.row_id)
  AND NOT list_contains($not_evaluated, 'DP6')
