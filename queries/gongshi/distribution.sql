-- 公示 (群众监管): how one village's income was distributed — 年度, 用途, 金额, 受益对象类别,
-- 人数.  A 受益对象 that is not made only of categories (the edition's and a few more) may name a person:
-- it is shown as 其他 so that no name is published.  A 用途 that holds such a non-category
-- part, or the 管护责任人, 运营主体 or 产权单位 of one of the village's assets, is withheld too.
-- rules: — (public notice, plan 八(四) 群众监管)
-- used by: pages/gongshi.py
-- formats: amount=万元
WITH people AS (          -- names a 用途 must not repeat: the village's assets' persons and operators
    SELECT DISTINCT trim(n) AS name
    FROM filtered_assets($filters) f
    JOIN assets a ON a.row_id = f.row_id,
         unnest([a.custodian_person, a.operator, a.owner_unit]) AS t(n)
    WHERE length(trim(n)) >= 2
), rows AS (
    SELECT x.row_id, x.year, x.purpose, x.amount, x.beneficiary, x.beneficiary_count,
           list_filter(string_split(regexp_replace(trim(x.beneficiary), '[，,；;/ ]+', '、', 'g'), '、'),
                       lambda part: part <> '' AND NOT list_contains(list_concat($beneficiaries,   -- D5's, the edition's
                           ['防返贫监测对象', '一般农户', '低保户', '五保户', '特困人员', '残疾人', '全体村民']), part)) AS named
    FROM filtered_distribution($filters, $as_of) d
    JOIN distribution x ON x.row_id = d.row_id
)
SELECT r.year,
       CASE WHEN r.purpose IS NULL THEN NULL
            WHEN list_bool_or(list_transform(r.named, lambda part: length(part) >= 2 AND contains(r.purpose, part)))
              OR EXISTS (SELECT 1 FROM people p WHERE contains(r.purpose, p.name))
            THEN '（含个人信息，不公开）' ELSE r.purpose END AS purpose,
       r.amount,
       CASE WHEN r.beneficiary IS NULL THEN NULL
            WHEN len(r.named) = 0 THEN r.beneficiary
            ELSE '其他（不公开姓名）' END AS beneficiary_kind,
       r.beneficiary_count
FROM rows r
ORDER BY r.year DESC, r.amount DESC
