-- Disposal procedure checks DP1–DP6 (policy-rules §6), one row per 处置台账 row plus
-- one per 已处置 asset missing from the disposal ledger (DP6).  Each row carries its
-- path's steps, in order, as a list of (step, date); a date after $as_of has not
-- happened yet.  Paths: state (旗/镇 assets), transfer (转让/拍卖 of village assets),
-- simplified (简易程序 = 是), full (the village path).
WITH batches AS (
    SELECT d.batch_id, count(*) AS batch_size, sum(a.original_value) AS batch_total
    FROM disposals d LEFT JOIN assets a ON a.row_id = d.asset_row
    WHERE d.batch_id IS NOT NULL
    GROUP BY d.batch_id
),
routed AS (
    SELECT d.*, a.original_value, b.batch_size, b.batch_total,
           CASE WHEN a.owner_level IN ('旗', '镇') THEN 'state'
                WHEN d.method IN ('转让', '拍卖') THEN 'transfer'
                WHEN d.simplified = '是' THEN 'simplified'
                ELSE 'full' END AS path
    FROM disposals d
    LEFT JOIN assets a ON a.row_id = d.asset_row
    LEFT JOIN batches b ON b.batch_id = d.batch_id
),
stepped AS (
    SELECT *,
        list_transform(CASE path
            WHEN 'state' THEN [
                {'step': '镇审核日期', 'd': town_review_date},
                {'step': '领导小组批复日期', 'd': approval_date},
                {'step': '处置日期', 'd': disposal_date}]
            WHEN 'simplified' THEN [
                {'step': '村申请日期', 'd': village_apply_date},
                {'step': '镇审核日期', 'd': town_review_date},
                {'step': '审核公示开始', 'd': review_notice_start},
                {'step': '处置日期', 'd': disposal_date}]
            ELSE [  -- full and transfer
                {'step': '村申请日期', 'd': village_apply_date},
                {'step': '村公示开始', 'd': village_notice_start},
                {'step': '村公示结束', 'd': village_notice_end},
                {'step': '镇审核日期', 'd': town_review_date},
                {'step': '审核公示开始', 'd': review_notice_start},
                {'step': '审核公示结束', 'd': review_notice_end},
                {'step': '网站公示开始', 'd': web_notice_start},
                {'step': '网站公示结束', 'd': web_notice_end},
                {'step': '领导小组批复日期', 'd': approval_date},
                {'step': '处置日期', 'd': disposal_date}]
            END,
            lambda s: {'step': s.step, 'd': CASE WHEN s.d <= $as_of THEN s.d END}) AS steps,
        -- the step that is the path's approval: nothing may be disposed before it
        CASE path WHEN 'simplified' THEN review_notice_start ELSE approval_date END AS approval,
        CASE WHEN disposal_date <= $as_of THEN disposal_date END AS disposed_on
    FROM routed
),
checked AS (
    SELECT *,
        -- DP1: a step missing before the last step taken (an unfinished disposal is not
        -- faulted for steps still ahead of it; a finished one needs every step)
        list_max(list_transform(steps, lambda s, i: CASE WHEN s.d IS NOT NULL THEN i END)) AS last_taken,
        list_transform(list_filter(steps, lambda s, i: s.d IS NULL AND i < last_taken),
                       lambda s: s.step)
          || CASE WHEN path = 'transfer' AND third_party_valuation IS DISTINCT FROM '有'
                  THEN ['第三方评估'] ELSE [] END AS missing,
        -- DP3: a step dated before the step taken just before it, or disposed unapproved
        list_filter(steps, lambda s: s.d IS NOT NULL) AS taken,
        list_filter(list_transform(taken, lambda s, i:
                CASE WHEN i > 1 AND s.d < taken[i - 1].d
                     THEN s.step || '（' || s.d || '）早于' || taken[i - 1].step || '（' || taken[i - 1].d || '）'
                END), lambda x: x IS NOT NULL)
          || CASE WHEN disposed_on IS NOT NULL AND NOT coalesce(approval <= $as_of, false)
                  THEN ['处置日期早于批复或未经批复即处置'] ELSE [] END AS inversions,
        -- DP2: public notices of the full and transfer paths shorter than the minimum
        list_filter([
            CASE WHEN village_notice_end <= $as_of
                  AND date_diff('day', village_notice_start, village_notice_end) + 1 < $notice_min_days
                 THEN '村公示' || village_notice_start || '至' || village_notice_end || '共'
                      || (date_diff('day', village_notice_start, village_notice_end) + 1) || '天' END,
            CASE WHEN review_notice_end <= $as_of
                  AND date_diff('day', review_notice_start, review_notice_end) + 1 < $notice_min_days
                 THEN '审核公示' || review_notice_start || '至' || review_notice_end || '共'
                      || (date_diff('day', review_notice_start, review_notice_end) + 1) || '天' END,
            CASE WHEN web_notice_end <= $as_of
                  AND date_diff('day', web_notice_start, web_notice_end) + 1 < $notice_min_days
                 THEN '网站公示' || web_notice_start || '至' || web_notice_end || '共'
                      || (date_diff('day', web_notice_start, web_notice_end) + 1) || '天' END
        ], lambda x: x IS NOT NULL AND path IN ('full', 'transfer')) AS short_notices,
        -- DP4: simplified path although neither the single-asset nor the batch limit holds
        (path = 'simplified' AND original_value > $simplified_single_max
            AND NOT (coalesce(batch_size, 0) >= 2 AND batch_total <= $simplified_batch_max))
            AS simplified_misused,
        -- DP5: proceeds not allocated to a new project by $as_of (also Y07)
        (proceeds > 0 AND NOT coalesce(proceeds_allocated_date <= $as_of, false)) AS proceeds_unallocated
    FROM stepped
)
SELECT row_id, source_file, source_row AS sheet_row, asset_row, asset_id, path,
       list_filter([CASE WHEN len(missing) > 0 THEN 'DP1' END,
                    CASE WHEN len(short_notices) > 0 THEN 'DP2' END,
                    CASE WHEN len(inversions) > 0 THEN 'DP3' END,
                    CASE WHEN simplified_misused THEN 'DP4' END,
                    CASE WHEN proceeds_unallocated THEN 'DP5' END],
                   lambda x: x IS NOT NULL AND NOT list_contains($not_evaluated, x)) AS violations,
       to_json(struct_pack(missing := array_to_string(missing, '、'),
                           short_notices := array_to_string(short_notices, '；'),
                           "order" := array_to_string(inversions, '；'),
                           original_value := original_value,
                           batch_id := coalesce(batch_id, '无'),
                           batch_size := coalesce(batch_size, 1),
                           batch_total := coalesce(batch_total, original_value),
                           proceeds := proceeds)) AS facts
FROM checked
UNION ALL
SELECT NULL, NULL, NULL, a.row_id, a.asset_id,
       CASE WHEN a.owner_level IN ('旗', '镇') THEN 'state' ELSE 'full' END,
       ['DP6'], to_json(struct_pack(status := a.disposal_status))
FROM assets a
WHERE a.disposal_status = '已处置'
  AND NOT EXISTS (SELECT 1 FROM disposals d WHERE d.asset_row = a.row_id)
  AND NOT list_contains($not_evaluated, 'DP6')
