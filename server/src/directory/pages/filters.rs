//! The results page's filters, declared once.
//!
//! Each entry of [`FILTERS`] is one group of checkboxes: its URL parameter, how a value from the
//! URL is understood, the options it offers (with their search facet), how it narrows the search
//! ([`Filters`]) and how the page offers to drop it when nothing matched. The URL, the filter
//! panel and its counts, the chosen-filter tags and the "broaden your search" links are all
//! made from this table, so a new filter on indexed data is one more entry here (and its field
//! in [`Filters`] and the search engines).

use crate::directory::cache::Category;
use crate::directory::model::ReferralRoute;
use crate::search::{DeliveryMode, Facet, FacetCounts, Filters};
use app::domain::{TimeOfDayBand, Weekday};

use super::wording::route_label;

/// What the filters are checked against: the directory's categories and languages.
pub(super) struct Context<'a> {
    pub taxonomy: &'a [Category],
    pub languages: &'a [String],
}

/// How the page offers to remove a filter when nothing matched.
pub(super) enum Broaden {
    /// One link for the whole group: "search any day".
    Group(&'static str),
    /// One link for each chosen value: "remove the category ‘Sport’".
    EachValue(&'static str),
}

/// The options a filter offers, as (value, label), given the chosen values and the counts.
type Options = fn(&Context, &[String], Option<&FacetCounts>) -> Vec<(String, String)>;

/// One filter: a group of checkboxes and its URL parameter.
pub(super) struct FilterDef {
    /// The URL parameter, also the group's name; its fieldset's id is `filter-{param}`.
    pub param: &'static str,
    pub legend: &'static str,
    /// The message when the URL carries a value the filter does not know.
    pub invalid: &'static str,
    pub facet: Facet,
    /// A single checkbox ("Free"): its facet counts the services where the value is true.
    pub boolean: bool,
    /// A value from the URL (trimmed, not blank): `Ok(Some(normal))` chosen, `Ok(None)` an
    /// unticked checkbox ("no"), `Err(())` a value the filter does not know.
    pub parse: fn(&Context, &str) -> Result<Option<String>, ()>,
    /// The options offered, as (value, label), given the chosen values and the facet counts
    /// (languages are offered as the results have them).
    pub options: Options,
    /// Narrows the search to the chosen (already understood) values.
    pub apply: fn(&mut Filters, &[String]),
    pub broaden: Broaden,
}

impl FilterDef {
    /// The facet value whose count belongs to the option `value`.
    pub fn facet_key<'v>(&self, value: &'v str) -> &'v str {
        if self.boolean {
            "true"
        } else {
            value
        }
    }

    /// The label of a chosen value, as its option shows it.
    pub fn label(&self, context: &Context, value: &str) -> String {
        (self.options)(context, &[value.to_owned()], None)
            .into_iter()
            .find(|(v, _)| v == value)
            .map_or_else(|| value.to_owned(), |(_, label)| label)
    }
}

/// A checkbox's value: ticked, unticked or neither.
pub(super) fn yes(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Some(true),
        "" | "no" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn checkbox(value: &str) -> Result<Option<String>, ()> {
    match yes(value) {
        Some(true) => Ok(Some("yes".to_owned())),
        Some(false) => Ok(None),
        None => Err(()),
    }
}

fn owned<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|&x| (value(x).to_owned(), label(x).to_owned()))
        .collect()
}

/// The referral routes a family can filter on, in the panel's order.
const ROUTES: [ReferralRoute; 3] = [
    ReferralRoute::SelfReferral,
    ReferralRoute::DropIn,
    ReferralRoute::Professional,
];

/// Every filter, in the order of the panel and of the URL's parameters.
pub(super) const FILTERS: &[FilterDef] = &[
    FilterDef {
        param: "category",
        legend: "Category",
        invalid: "Choose categories from the list",
        facet: Facet::Category,
        boolean: false,
        parse: |cx, v| {
            cx.taxonomy
                .iter()
                .find(|c| c.code == v)
                .map(|c| Some(c.code.clone()))
                .ok_or(())
        },
        // The top-level categories, and any other chosen one (a link may choose a child).
        options: |cx, chosen, _| {
            cx.taxonomy
                .iter()
                .filter(|c| c.top || chosen.contains(&c.code))
                .map(|c| (c.code.clone(), c.name.clone()))
                .collect()
        },
        apply: |f, values| f.categories = values.to_vec(),
        broaden: Broaden::EachValue("remove the category"),
    },
    FilterDef {
        param: "cost",
        legend: "Cost",
        invalid: "Choose ‘Free’ or leave cost blank",
        facet: Facet::Free,
        boolean: true,
        parse: |_, v| match v {
            "free" => Ok(Some("free".to_owned())),
            _ => Err(()),
        },
        options: |_, _, _| vec![("free".to_owned(), "Free".to_owned())],
        apply: |f, values| f.free = !values.is_empty(),
        broaden: Broaden::Group("include services that charge"),
    },
    FilterDef {
        param: "day",
        legend: "Day",
        invalid: "Choose days from the list",
        facet: Facet::Day,
        boolean: false,
        parse: |_, v| {
            Weekday::parse(&v.to_ascii_uppercase())
                .map(|d| Some(d.as_ical().to_owned()))
                .map_err(|_| ())
        },
        options: |_, _, _| owned(&Weekday::ALL, Weekday::as_ical, Weekday::name),
        apply: |f, values| {
            f.days = values
                .iter()
                .filter_map(|v| Weekday::parse(v).ok())
                .collect()
        },
        broaden: Broaden::Group("search any day"),
    },
    FilterDef {
        param: "time",
        legend: "Time of day",
        invalid: "Choose morning, afternoon or evening",
        facet: Facet::Time,
        boolean: false,
        parse: |_, v| {
            TimeOfDayBand::parse(v)
                .map(|t| Some(t.as_str().to_owned()))
                .ok_or(())
        },
        options: |_, _, _| {
            owned(
                &TimeOfDayBand::ALL,
                TimeOfDayBand::as_str,
                TimeOfDayBand::label,
            )
        },
        apply: |f, values| {
            f.times = values
                .iter()
                .filter_map(|v| TimeOfDayBand::parse(v))
                .collect()
        },
        broaden: Broaden::Group("search any time of day"),
    },
    FilterDef {
        param: "holidays",
        legend: "School holidays",
        invalid: "Tick the box or leave it empty",
        facet: Facet::SchoolHolidays,
        boolean: true,
        parse: |_, v| checkbox(v),
        options: |_, _, _| vec![("yes".to_owned(), "Runs in the school holidays".to_owned())],
        apply: |f, values| f.school_holidays = !values.is_empty(),
        broaden: Broaden::Group("include services that do not run in the school holidays"),
    },
    FilterDef {
        param: "mode",
        legend: "How it is delivered",
        invalid: "Choose in person, online or by phone",
        facet: Facet::Mode,
        boolean: false,
        parse: |_, v| {
            DeliveryMode::parse(v)
                .map(|m| Some(m.as_str().to_owned()))
                .ok_or(())
        },
        options: |_, _, _| {
            owned(
                &DeliveryMode::ALL,
                DeliveryMode::as_str,
                DeliveryMode::label,
            )
        },
        apply: |f, values| {
            f.modes = values
                .iter()
                .filter_map(|v| DeliveryMode::parse(v))
                .collect()
        },
        broaden: Broaden::Group("include every way services are delivered"),
    },
    FilterDef {
        param: "route",
        legend: "How to access it",
        invalid: "Choose how to access services from the list",
        facet: Facet::Route,
        boolean: false,
        parse: |_, v| {
            ReferralRoute::parse(v)
                .map(|r| Some(r.as_str().to_owned()))
                .ok_or(())
        },
        options: |_, _, _| owned(&ROUTES, ReferralRoute::as_str, route_label),
        apply: |f, values| {
            f.routes = values
                .iter()
                .filter_map(|v| ReferralRoute::parse(v))
                .collect()
        },
        broaden: Broaden::Group("include every way of accessing services"),
    },
    FilterDef {
        param: "wheelchair",
        legend: "Accessibility",
        invalid: "Tick the box or leave it empty",
        facet: Facet::Wheelchair,
        boolean: true,
        parse: |_, v| checkbox(v),
        options: |_, _, _| vec![("yes".to_owned(), "Wheelchair accessible".to_owned())],
        apply: |f, values| f.wheelchair = !values.is_empty(),
        broaden: Broaden::Group("include services without wheelchair access"),
    },
    FilterDef {
        param: "language",
        legend: "Language",
        invalid: "Choose languages from the list",
        facet: Facet::Language,
        boolean: false,
        parse: |cx, v| {
            let v = v.to_lowercase();
            if cx.languages.contains(&v) {
                Ok(Some(v))
            } else {
                Err(())
            }
        },
        // The languages the matching services are offered in, and any chosen one.
        options: |_, chosen, facets| {
            let mut languages: Vec<String> = facets
                .and_then(|f| f.get(&Facet::Language))
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            for l in chosen {
                if !languages.contains(l) {
                    languages.push(l.clone());
                }
            }
            languages.sort();
            languages
                .into_iter()
                .map(|l| {
                    let label = app::text::capitalise(&l);
                    (l, label)
                })
                .collect()
        },
        apply: |f, values| f.languages = values.to_vec(),
        broaden: Broaden::Group("search in any language"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> (Vec<Category>, Vec<String>) {
        (
            vec![Category {
                code: "sport".into(),
                name: "Sport".into(),
                top: true,
            }],
            vec!["polish".into()],
        )
    }

    #[test]
    fn every_filter_has_its_own_parameter() {
        for (i, f) in FILTERS.iter().enumerate() {
            assert!(
                FILTERS[i + 1..].iter().all(|g| g.param != f.param),
                "{} is declared twice",
                f.param
            );
        }
    }

    #[test]
    fn every_option_offered_is_understood_and_applies() {
        let (taxonomy, languages) = context();
        let cx = Context {
            taxonomy: &taxonomy,
            languages: &languages,
        };
        for f in FILTERS {
            let chosen: Vec<String> = if f.param == "language" {
                languages.clone()
            } else {
                Vec::new()
            };
            let options = (f.options)(&cx, &chosen, None);
            assert!(!options.is_empty(), "{} offers nothing", f.param);
            for (value, label) in options {
                assert_eq!(
                    (f.parse)(&cx, &value),
                    Ok(Some(value.clone())),
                    "{}",
                    f.param
                );
                assert_eq!(f.label(&cx, &value), label);
                let mut narrowed = Filters::default();
                (f.apply)(&mut narrowed, std::slice::from_ref(&value));
                assert!(!narrowed.is_empty(), "{}={value} narrows nothing", f.param);
            }
            assert_eq!((f.parse)(&cx, "<script>"), Err(()), "{}", f.param);
        }
    }

    #[test]
    fn checkboxes_read_yes_and_no() {
        assert_eq!(checkbox("on"), Ok(Some("yes".into())));
        assert_eq!(checkbox("no"), Ok(None));
        assert_eq!(checkbox("maybe"), Err(()));
    }
}
