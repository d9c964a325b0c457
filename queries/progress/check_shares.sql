-- The milestone view of MG1 (确权移交) and MG3 (纳入对应管理平台) per town and for the whole
-- (is_total, town NULL), over the filtered assets: the in-scope assets checked (not flagged
-- OUT_OF_SCOPE, 处置状态 ≠ 已处置: the assets the management checks judge), those passing MG1
-- (confirmed) and MG3 (on_platform: 农户 and an unknown 产权归属 are not checked by it, so pass),
-- and the shares passing ÷ checked (NULL with nothing checked).  The months' summaries hold the
-- same counts (monthly/month_summary.sql; progress/check_shares_months reads them).
-- rules: MG1, MG3 (milestone measures confirmed, on_platform)
-- used by: pages/progress.py
-- formats: confirmed_share=%, platform_share=%
WITH judged AS (
    SELECT coalesce(x.town, '未填写') AS town,
           NOT list_contains(x.flags, 'OUT_OF_SCOPE') AND a.disposal_status IS DISTINCT FROM '已处置' AS checked,
           x.row_id IN (SELECT asset_row FROM management_checks WHERE rule_id = 'MG1') AS mg1,
           x.row_id IN (SELECT asset_row FROM management_checks WHERE rule_id = 'MG3') AS mg3
    FROM filtered_assets($filters) x
    JOIN assets a ON a.row_id = x.row_id
)
SELECT CASE WHEN GROUPING(town) = 0 THEN town END AS town,
       count(*) FILTER (WHERE checked) AS checked,
       count(*) FILTER (WHERE checked AND NOT mg1) AS confirmed,
       count(*) FILTER (WHERE checked AND NOT mg3) AS on_platform,
       count(*) FILTER (WHERE checked AND NOT mg1) / nullif(count(*) FILTER (WHERE checked), 0) AS confirmed_share,
       count(*) FILTER (WHERE checked AND NOT mg3) / nullif(count(*) FILTER (WHERE checked), 0) AS platform_share,
       GROUPING(town) = 1 AS is_total
FROM judged
GROUP BY GROUPING SETS ((town), ())
ORDER BY is_total, town COLLATE zh
