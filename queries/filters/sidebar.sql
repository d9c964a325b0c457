-- The sidebar filters as macros over ONE parameter, the STRUCT `f` that
-- dashboard/filters.py binds as $filters:
--   {towns, villages, categories, types, funds: VARCHAR[], year_from, year_to: INTEGER,
--    levels, batches: VARCHAR[],
--    scope_town, scope_village: VARCHAR, scope_departments: VARCHAR[]}
-- The scope_* fields are the user's part of the banner (dashboard/scope.py), applied to
-- every row before any filter the user chose: an asset by its 所在镇, 所在嘎查村 or 主管部门;
-- a row of another sheet by its asset, or by its 所在镇 when it has no 资产编号.
-- An empty list (or a NULL year) means "no filter"; a blank town, village, type or
-- funding source is offered and matched as '未填写'.  Installed on every evaluated cursor
-- (they read asset_results), so every page and report filters the same way; a report
-- binds the empty filter: the whole banner.
-- rules: (none; filters the results of every rule)
-- used by: dashboard/filters.py (install), every query that reads $filters

-- Is a place / 主管部门 in the user's scope?  (NULL and a blank are '未填写'.)
CREATE OR REPLACE TEMP MACRO in_scope(f, town, village, department) AS
    (f['scope_town'] IS NULL OR coalesce(town, '未填写') = f['scope_town'])
    AND (f['scope_village'] IS NULL OR coalesce(village, '未填写') = f['scope_village'])
    AND (len(f['scope_departments']) = 0 OR coalesce(list_contains(f['scope_departments'], department), false))
;
-- Is the user limited to a part of the banner?
CREATE OR REPLACE TEMP MACRO scoped(f) AS
    f['scope_town'] IS NOT NULL OR len(f['scope_departments']) > 0
;
-- The assets (row_id) in the user's scope, whatever the sidebar filters.
CREATE OR REPLACE TEMP MACRO scoped_assets(f) AS TABLE
SELECT a.row_id FROM assets a WHERE in_scope(f, a.town, a.village, a.department)
;
-- Is a row of another sheet in scope?  Linked to asset `row`: when that asset is; not
-- linked (row NULL): by its town and village — never for a department, which has no
-- 主管部门 to go by.
CREATE OR REPLACE TEMP MACRO row_in_scope(f, row, town, village) AS
    CASE WHEN row IS NOT NULL THEN row IN (SELECT row_id FROM scoped_assets(f))
         ELSE NOT scoped(f) OR (len(f['scope_departments']) = 0 AND in_scope(f, town, village, NULL)) END
;
-- Is a row of the milestones (counted per town, and for the banner as town NULL) in scope?
-- The banner sees every row; a town user its own town's; a village or department has no
-- row of its own (the nodes are counted by town), so none.
CREATE OR REPLACE TEMP MACRO milestone_in_scope(f, town) AS
    CASE WHEN NOT scoped(f) THEN true
         WHEN f['scope_village'] IS NULL AND len(f['scope_departments']) = 0 THEN town = f['scope_town']
         ELSE false END
;
-- Does an asset with these attributes pass the scope and every sidebar filter?  The one
-- definition: filtered_assets below, and the months' summaries (shared/town_levels_months).
CREATE OR REPLACE TEMP MACRO asset_in_filters(f, town, village, department, category, asset_type,
                                              funding_source, build_year, level, batch) AS
    in_scope(f, town, village, department)
    AND (len(f['towns']) = 0 OR list_contains(f['towns'], coalesce(town, '未填写')))
    AND (len(f['villages']) = 0 OR list_contains(f['villages'], coalesce(village, '未填写')))
    AND (len(f['categories']) = 0 OR list_contains(f['categories'], coalesce(category, '未填写')))
    AND (len(f['types']) = 0 OR list_contains(f['types'], coalesce(asset_type, '未填写')))
    AND (len(f['funds']) = 0 OR list_contains(f['funds'], coalesce(funding_source, '未填写')))
    AND (f['year_from'] IS NULL OR build_year >= f['year_from'])
    AND (f['year_to'] IS NULL OR build_year <= f['year_to'])
    AND (len(f['levels']) = 0 OR list_contains(f['levels'], level))
    AND (len(f['batches']) = 0 OR list_contains(f['batches'], batch))
;
-- The filtered assets: asset_results in scope, with the two columns the filters read.
CREATE OR REPLACE TEMP MACRO filtered_assets(f) AS TABLE
SELECT r.*, a.funding_source, a.build_year
FROM asset_results r
JOIN assets a ON a.row_id = r.row_id
WHERE asset_in_filters(f, r.town, r.village, a.department, r.category, r.asset_type,
                       a.funding_source, a.build_year, r.level, r.batch_suggested)
;
-- True when no filter other than town and village is set: a row not linked to an asset
-- has a place but no other attribute, so any other filter leaves it out.
CREATE OR REPLACE TEMP MACRO only_place_filtered(f) AS
    len(f['categories']) + len(f['types']) + len(f['funds']) + len(f['levels']) + len(f['batches']) = 0
    AND f['year_from'] IS NULL AND f['year_to'] IS NULL
;
-- True when no sidebar filter is set and the user sees the whole banner: rows not linked
-- to an asset and without a place (a disposal or problem without a known 资产编号) are
-- shown only then.
CREATE OR REPLACE TEMP MACRO unfiltered(f) AS
    len(f['towns']) + len(f['villages']) = 0 AND only_place_filtered(f) AND NOT scoped(f)
;
-- Does a row linked to asset_row (NULL = not linked) pass the filters?
CREATE OR REPLACE TEMP MACRO asset_row_in_filters(f, row) AS
    CASE WHEN row IS NOT NULL THEN row IN (SELECT row_id FROM filtered_assets(f))
         ELSE unfiltered(f) END
;
-- The 收益分配 rows (distribution_checks) of years up to as_of's in the sidebar filters.
-- A row linked to an asset follows the asset's filters; an unlinked row follows the
-- town and village filters only and is left out when any other filter is set (its
-- asset's attributes are unknown).
CREATE OR REPLACE TEMP MACRO filtered_distribution(f, as_of) AS TABLE
SELECT d.* FROM distribution_checks d
WHERE coalesce(d.year <= year(as_of), true)
  AND CASE WHEN d.asset_row IS NOT NULL
           THEN d.asset_row IN (SELECT row_id FROM filtered_assets(f))
           ELSE row_in_scope(f, NULL, d.town, d.village)
            AND (len(f['towns']) = 0 OR list_contains(f['towns'], coalesce(d.town, '未填写')))
            AND (len(f['villages']) = 0 OR list_contains(f['villages'], coalesce(d.village, '未填写')))
            AND only_place_filtered(f) END
;
-- The disposals checked (disposal_checks) in the sidebar filters, with their asset's town
-- and village; one whose asset is not in the ledger shows only when no filter is set.
CREATE OR REPLACE TEMP MACRO filtered_disposals(f) AS TABLE
SELECT c.*, a.town, a.village
FROM disposal_checks c
LEFT JOIN assets a ON a.row_id = c.asset_row
WHERE asset_row_in_filters(f, c.asset_row)
;
-- The problems (问题台账) found by as_of in the sidebar filters, with their asset's name,
-- town, village, value and sign-off tier, the status at as_of and whether overdue
-- (整改时限 before as_of and not 已整改/已销号).  Status at the date: 已销号 needs a 销号日期
-- on or before it; a later or missing 销号日期 leaves the problem 已整改; anything else is
-- still 整改中.  A problem not linked to an asset shows only when no filter is set.
CREATE OR REPLACE TEMP MACRO filtered_problems(f, as_of) AS TABLE
SELECT p.*, x.asset_name, x.town, x.village, x.original_value, x.signoff_tier,
       CASE WHEN p.status = '已销号' AND p.signoff_date <= as_of THEN '已销号'
            WHEN p.status IN ('已整改', '已销号') THEN '已整改'
            ELSE '整改中' END AS status_as_of,
       coalesce(p.deadline < as_of AND NOT (p.status IN ('已整改', '已销号')), false) AS overdue
FROM problems p
LEFT JOIN asset_results r ON r.asset_id = p.asset_id
LEFT JOIN filtered_assets(f) x ON x.row_id = r.row_id
WHERE coalesce(p.found_date <= as_of, true)
  AND CASE WHEN r.row_id IS NOT NULL THEN x.row_id IS NOT NULL ELSE unfiltered(f) END
;
-- 资产台账: the filtered assets whose names, operator, custodian, place or ID contain the
-- free-text `search` ('' = all), with the ledger's columns.
CREATE OR REPLACE TEMP MACRO ledger_matches(f, search) AS TABLE
SELECT a.*, x.level, x.rules, x.flags, x.batch_suggested, x.signoff_tier
FROM filtered_assets(f) x
JOIN assets a ON a.row_id = x.row_id
WHERE search = ''
   OR contains(a.asset_name, search) OR contains(a.project_name, search)
   OR contains(a.operator, search) OR contains(a.custodian, search)
   OR contains(a.village, search) OR contains(a.town, search) OR contains(a.asset_id, search)
;
-- The management checks MG1–MG6 that fired (management_checks) on the filtered assets: the
-- system-found problems of aspect 项目资产管理运维 (source 系统核查), with the asset's name,
-- place, value and sign-off tier; `typed` when 问题台账 holds a problem of that asset and
-- aspect found by as_of (the finding is then shown with it, not as a problem of its own).
CREATE OR REPLACE TEMP MACRO filtered_findings(f, as_of) AS TABLE
SELECT m.asset_row, m.asset_id, m.rule_id, m.facts, x.asset_name, x.town, x.village, x.original_value,
       x.signoff_tier,
       coalesce(m.asset_id IN (SELECT p.asset_id FROM problems p
                               WHERE p.aspect = '项目资产管理运维' AND p.asset_id IS NOT NULL
                                 AND coalesce(p.found_date <= as_of, true)), false) AS typed
FROM management_checks m
JOIN filtered_assets(f) x ON x.row_id = m.asset_row
;
