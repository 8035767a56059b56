//! The filter panel's counts: how many matching services each option would find with the other
//! filters as they are, from the search engine's facets.

use super::filters::{Context, FILTERS};
use super::search::UrlState;
use crate::search::{AgeBand, Facet, FacetCounts};
use app::pages::directory::{AgeBandCount, FilterGroup, FilterOption};

/// The count of `value` in `facet` (`None` when the search did not run).
pub(super) fn count(facets: Option<&FacetCounts>, facet: Facet, value: &str) -> Option<u64> {
    facets.map(|f| {
        f.get(&facet)
            .and_then(|values| values.get(value))
            .copied()
            .unwrap_or(0)
    })
}

/// How many matching services are for each age group (a service counts in every group its age
/// range touches), for the counts shown with the age input.
pub(super) fn age_bands(facets: &FacetCounts) -> Vec<AgeBandCount> {
    AgeBand::ALL
        .iter()
        .map(|b| AgeBandCount {
            label: b.label().to_owned(),
            count: count(Some(facets), Facet::AgeBand, b.as_str()).unwrap_or(0),
        })
        .collect()
}

/// The filter panel: every filter's options, the chosen ones ticked, with their counts.
pub(super) fn filter_groups(
    context: &Context,
    url: &UrlState,
    facets: Option<&FacetCounts>,
) -> Vec<FilterGroup> {
    FILTERS
        .iter()
        .map(|def| {
            let chosen = url.chosen(def.param);
            FilterGroup {
                name: def.param.to_owned(),
                legend: def.legend.to_owned(),
                options: (def.options)(context, chosen, facets)
                    .into_iter()
                    .map(|(value, label)| FilterOption {
                        count: count(facets, def.facet, def.facet_key(&value)),
                        checked: chosen.contains(&value),
                        value,
                        label,
                    })
                    .collect(),
            }
        })
        .collect()
}
