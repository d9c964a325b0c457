-- 公示 (群众监管): how one village's income was distributed — 年度, 用途, 金额, 受益对象类别,
-- 人数.  A 受益对象 that is not made only of categories (脱贫户, 监测对象 …) may name a person:
-- it is shown as 其他 so that no name is published.
-- rules: — (public notice, plan 八(四) 群众监管)
-- used by: pages/gongshi.py
SELECT x.year, x.purpose, x.amount,
       CASE WHEN x.beneficiary IS NULL THEN NULL
            WHEN list_bool_and(list_transform(
                     string_split(regexp_replace(trim(x.beneficiary), '[，,；;/ ]+', '、', 'g'), '、'),
                     lambda part: part IN ('脱贫户', '脱贫人口', '监测对象', '防返贫监测对象', '村集体',
                                           '一般农户', '低保户', '五保户', '特困人员', '残疾人', '全体村民')))
            THEN x.beneficiary
            ELSE '其他（不公开姓名）' END AS beneficiary_kind,
       x.beneficiary_count
FROM filtered_distribution($filters, $as_of) d
JOIN distribution x ON x.row_id = d.row_id
ORDER BY x.year DESC, x.amount DESC
