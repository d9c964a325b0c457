-- 公示 (群众监管): one village's assets as a villager may read them — what, of which kind,
-- built when, worth what, in what state, whose.  No names of people (管护责任人, 运营主体)
-- and no contract terms of operators are selected.
-- rules: — (public notice, plan 八(四) 群众监管)
-- used by: pages/gongshi.py
SELECT a.asset_id, a.asset_name, a.category, a.asset_type, a.build_year, a.original_value,
       a.operating_status, a.owner_level
FROM filtered_assets($filters) x
JOIN assets a ON a.row_id = x.row_id
ORDER BY a.category, a.asset_type COLLATE zh, a.asset_id
