-- Every problem found by the report's date (问题台账 and 销号台账): its status at that date,
-- the asset it concerns and the sign-off tier that asset's original value requires (七(四)).
-- Status as of the date: 已销号 needs a 销号日期 on or before it; a later or missing
-- 销号日期 leaves the problem 已整改; anything else is still 整改中.
WITH aspects(aspect, aspect_order) AS (VALUES
    ('建章立制', 1), ('项目实施程序', 2), ('项目资产管理运维', 3), ('项目效益', 4), ('项目收益分配', 5)
)
SELECT p.problem_id, p.aspect, coalesce(o.aspect_order, 9) AS aspect_order,
       p.asset_id, r.asset_name, coalesce(r.town, '未关联资产') AS town, r.village, r.original_value,
       p.description, p.measure, p.responsible_unit, p.found_date, p.deadline, p.plan_date,
       CASE WHEN p.status = '已销号' AND p.signoff_date <= $as_of THEN '已销号'
            WHEN p.status IN ('已整改', '已销号') THEN '已整改'
            ELSE '整改中' END AS status_as_of,
       CASE WHEN p.signoff_date <= $as_of THEN p.signoff_date END AS signoff_date,
       p.signoff_level, r.signoff_tier,
       p.deadline < $as_of AND NOT (p.status IN ('已整改', '已销号')) AS overdue
FROM problems p
LEFT JOIN aspects o ON o.aspect = p.aspect
LEFT JOIN asset_results r ON r.asset_id = p.asset_id
WHERE coalesce(p.found_date <= $as_of, true)
ORDER BY aspect_order, p.aspect, p.problem_id
