-- 公示 (群众监管): the towns and villages that have assets in the published month, for the
-- reader to pick their own.  Blank = '未填写'.
-- rules: — (public notice, plan 八(四) 群众监管)
-- used by: pages/gongshi.py
SELECT coalesce(town, '未填写') AS town, coalesce(village, '未填写') AS village, count(*) AS assets
FROM filtered_assets($filters)
GROUP BY ALL
ORDER BY town COLLATE zh, village COLLATE zh
