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
