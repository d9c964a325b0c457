-- 公示 (群众监管): one village's assets as a villager may read them — what, of which kind,
-- built when, worth what, in what state, whose.  No names of people: a 到户类 asset (or one
-- owned by a 农户) is shown by its type only ("基础母牛（到户类）"; its village is the page's
-- choice), since its name is the household's ("…乌力吉巴特尔户基础母牛"); any other name that
-- holds its 管护责任人, 运营主体 or 产权单位 is shown by its type too.  管护责任人, 运营主体 and
-- contract terms are never selected.  (gongshi/income.sql names assets the same way.)
-- rules: — (public notice, plan 八(四) 群众监管)
-- used by: pages/gongshi.py
-- formats: original_value=万元
SELECT a.asset_id,
       CASE WHEN a.category = '到户类' OR a.owner_level = '农户'
            THEN CASE WHEN nullif(trim(a.asset_type), '') IS NULL
                        OR list_bool_or(list_transform([a.custodian_person, a.operator, a.owner_unit],
                               lambda n: coalesce(length(trim(n)) >= 2 AND contains(a.asset_type, trim(n)), false)))
                      THEN '到户类资产' ELSE trim(a.asset_type) || '（到户类）' END
            WHEN list_bool_or(list_transform([a.custodian_person, a.operator, a.owner_unit],
                     lambda n: coalesce(length(trim(n)) >= 2 AND contains(a.asset_name, trim(n)), false)))
            THEN coalesce(nullif(trim(a.asset_type), ''), a.category, '项目资产') || '（名称不公开）'
            ELSE a.asset_name END AS asset_name,
       a.category, a.asset_type, a.build_year, a.original_value, a.operating_status, a.owner_level
FROM filtered_assets($filters) x
JOIN assets a ON a.row_id = x.row_id
ORDER BY a.category, a.asset_type COLLATE zh, a.asset_id
