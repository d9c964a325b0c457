-- The sidebar filters as macros (created on each evaluated cursor by
-- dashboard/filters.py, for the app and the reports), so every query filters the same way:
--   FROM app_filtered($towns, $villages, $categories, $types, $funds,
--                     $year_from, $year_to, $levels, $batches)
-- An empty list (or a NULL year) means "no filter"; a blank town, village, type or
-- funding source is offered and matched as '未填写'.
CREATE OR REPLACE TEMP MACRO app_filtered(towns, villages, categories, types, funds,
                                          year_from, year_to, levels, batches) AS TABLE
SELECT r.*, a.funding_source, a.build_year
FROM asset_results r
JOIN assets a ON a.row_id = r.row_id
WHERE (len(towns) = 0 OR list_contains(towns, coalesce(r.town, '未填写')))
  AND (len(villages) = 0 OR list_contains(villages, coalesce(r.village, '未填写')))
  AND (len(categories) = 0 OR list_contains(categories, coalesce(r.category, '未填写')))
  AND (len(types) = 0 OR list_contains(types, coalesce(r.asset_type, '未填写')))
  AND (len(funds) = 0 OR list_contains(funds, coalesce(a.funding_source, '未填写')))
  AND (year_from IS NULL OR a.build_year >= year_from)
  AND (year_to IS NULL OR a.build_year <= year_to)
  AND (len(levels) = 0 OR list_contains(levels, r.level))
  AND (len(batches) = 0 OR list_contains(batches, r.batch_suggested))
;
-- True when no sidebar filter is set: rows not linked to an asset (a disposal or problem
-- without a known 资产编号) are shown only then.
CREATE OR REPLACE TEMP MACRO app_unfiltered(towns, villages, categories, types, funds,
                                            year_from, year_to, levels, batches) AS
    len(towns) + len(villages) + len(categories) + len(types) + len(funds)
        + len(levels) + len(batches) = 0
    AND year_from IS NULL AND year_to IS NULL
;
-- The 收益分配 rows (distribution_checks) of years up to as_of's in the sidebar filters.
-- A row linked to an asset follows the asset's filters; an unlinked row follows the
-- town and village filters only and is left out when any other filter is set (its
-- asset's attributes are unknown).
CREATE OR REPLACE TEMP MACRO app_filtered_distribution(towns, villages, categories, types, funds,
                                                       year_from, year_to, levels, batches, as_of) AS TABLE
SELECT d.* FROM distribution_checks d
WHERE coalesce(d.year <= year(as_of), true)
  AND CASE WHEN d.asset_row IS NOT NULL
           THEN d.asset_row IN (SELECT row_id FROM app_filtered(towns, villages, categories, types,
                                funds, year_from, year_to, levels, batches))
           ELSE (len(towns) = 0 OR list_contains(towns, coalesce(d.town, '未填写')))
            AND (len(villages) = 0 OR list_contains(villages, coalesce(d.village, '未填写')))
            AND app_unfiltered([], [], categories, types, funds, year_from, year_to, levels, batches) END
;
-- The problems (问题台账) found by as_of in the sidebar filters, with their asset's name,
-- town, village, value and sign-off tier, the status at as_of and whether overdue
-- (整改时限 before as_of and not 已整改/已销号).  Status at the date: 已销号 needs a 销号日期
-- on or before it; a later or missing 销号日期 leaves the problem 已整改; anything else is
-- still 整改中.  A problem not linked to an asset shows only when no filter is set.
CREATE OR REPLACE TEMP MACRO app_filtered_problems(towns, villages, categories, types, funds,
                                                   year_from, year_to, levels, batches, as_of) AS TABLE
SELECT p.*, f.asset_name, f.town, f.village, f.original_value, f.signoff_tier,
       CASE WHEN p.status = '已销号' AND p.signoff_date <= as_of THEN '已销号'
            WHEN p.status IN ('已整改', '已销号') THEN '已整改'
            ELSE '整改中' END AS status_as_of,
       coalesce(p.deadline < as_of AND NOT (p.status IN ('已整改', '已销号')), false) AS overdue
FROM problems p
LEFT JOIN asset_results r ON r.asset_id = p.asset_id
LEFT JOIN app_filtered(towns, villages, categories, types, funds, year_from, year_to, levels, batches) f
  ON f.row_id = r.row_id
WHERE coalesce(p.found_date <= as_of, true)
  AND CASE WHEN r.row_id IS NOT NULL THEN f.row_id IS NOT NULL
           ELSE app_unfiltered(towns, villages, categories, types, funds, year_from, year_to, levels, batches) END
