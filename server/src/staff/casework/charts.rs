//! The performance page's pictures (`/staff/kpis`): requests per week by outcome, the time to a
//! decision against the 1-working-day standard, carers' self-assessments by month, and the gap
//! report (searches that found nothing, by area, with their commonest words). Drawn with
//! [`crate::web::charts`]; each sits above the table it is drawn from, which is its text
//! alternative. Aggregates only: no personal data.

use super::kpi::{Item, COLUMNS};
use crate::directory::search_log::GapArea;
use crate::staff::workdays::{self, BankHolidays};
use crate::web::charts::{self, Bars, Label, Series};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Weeks a chart shows at most (the newest).
pub const CHART_WEEKS: usize = 12;

/// A chart in a `<figure>`, or nothing when there is nothing to draw or drawing failed (the
/// table below still says everything).
#[component]
pub fn Chart(svg: Option<String>) -> impl IntoView {
    svg.map(|svg| view! { <figure class="signpost-chart-figure" inner_html=svg></figure> })
}

fn drawn(result: Result<String, charts::ChartError>) -> Option<String> {
    result
        .map_err(|e| tracing::error!(error = %e, "a chart could not be drawn"))
        .ok()
}

/// The newest [`CHART_WEEKS`] weeks of `weeks`, oldest first.
fn newest<T: Clone>(weeks: &BTreeMap<i64, T>) -> Vec<(i64, T)> {
    let skip = weeks.len().saturating_sub(CHART_WEEKS);
    weeks
        .iter()
        .skip(skip)
        .map(|(k, v)| (*k, v.clone()))
        .collect()
}

/// Requests per week by outcome, stacked.
pub fn requests_by_week(
    weeks: &BTreeMap<i64, [u64; 6]>,
    week_label: impl Fn(i64) -> String,
) -> Option<String> {
    let shown = newest(weeks);
    if shown.is_empty() {
        return None;
    }
    let categories: Vec<String> = shown.iter().map(|(m, _)| week_label(*m)).collect();
    let series: Vec<Series> = COLUMNS
        .iter()
        .enumerate()
        .map(|(c, name)| Series {
            name,
            values: shown.iter().map(|(_, counts)| counts[c] as f64).collect(),
        })
        .collect();
    drawn(charts::bars(
        &Label {
            id: "chart-requests",
            title: "Requests per week by outcome",
            description: &format!(
                "Stacked bars for the {} newest weeks: the number of requests received each week, \
                 divided by their outcome. The table below gives the numbers.",
                categories.len()
            ),
        },
        &categories,
        &series,
        "Requests",
        Bars::Stacked,
    ))
}

/// The median number of working days from arrival to decision of each week's decided requests
/// (by the week they arrived), for the weeks with decisions.
pub fn decision_days_by_week(items: &[Item], holidays: &BankHolidays) -> BTreeMap<i64, f64> {
    let mut days: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for item in items {
        if let Some(decided) = item.decided {
            let day = workdays::uk_day(item.received);
            let monday = day - (day + 3).rem_euclid(7);
            days.entry(monday)
                .or_default()
                .push(holidays.working_days_between(item.received, decided));
        }
    }
    days.into_iter()
        .map(|(monday, mut d)| {
            d.sort_unstable();
            let mid = d.len() / 2;
            let median = if d.len() % 2 == 1 {
                d[mid] as f64
            } else {
                (d[mid - 1] + d[mid]) as f64 / 2.0
            };
            (monday, median)
        })
        .collect()
}

/// The median working days to a decision each week, against the 1-working-day standard.
pub fn decision_time(
    medians: &BTreeMap<i64, f64>,
    week_label: impl Fn(i64) -> String,
) -> Option<String> {
    let shown = newest(medians);
    if shown.is_empty() {
        return None;
    }
    let categories: Vec<String> = shown.iter().map(|(m, _)| week_label(*m)).collect();
    let values: Vec<Option<f64>> = shown.iter().map(|(_, v)| Some(*v)).collect();
    drawn(charts::line_against_standard(
        &Label {
            id: "chart-decision-time",
            title: "Time to a decision against the 1-working-day standard",
            description: &format!(
                "A line for the {} newest weeks with decisions: the median number of working \
                 days from a request arriving to its decision, by the week it arrived, with the \
                 standard of 1 working day drawn as a dashed line. The table below gives the \
                 numbers.",
                categories.len()
            ),
        },
        &categories,
        &values,
        1.0,
        "Standard: 1 working day",
        "Median working days to a decision",
        "Working days",
    ))
}

/// Carers' self-assessments finished, and carers who then asked to be contacted, by month
/// (`YYYY-MM`, finished, asked), side by side.
pub fn carers_by_month(months: &[(String, i64, i64)]) -> Option<String> {
    if months.is_empty() {
        return None;
    }
    let categories: Vec<String> = months.iter().map(|(m, _, _)| m.clone()).collect();
    drawn(charts::bars(
        &Label {
            id: "chart-carers",
            title: "Carers assessed and given information, by month",
            description: "Bars side by side for each month: carers who finished a \
                          self-assessment (and so were given information), and those of them \
                          who asked to be contacted. The table below gives the numbers.",
        },
        &categories,
        &[
            Series {
                name: "Finished a self-assessment",
                values: months.iter().map(|m| m.1 as f64).collect(),
            },
            Series {
                name: "Asked to be contacted",
                values: months.iter().map(|m| m.2 as f64).collect(),
            },
        ],
        "Carers",
        Bars::Grouped,
    ))
}

/// The gap report: areas whose searches found nothing, most first, with their commonest words.
pub fn gaps(areas: &[GapArea]) -> Option<String> {
    if areas.is_empty() {
        return None;
    }
    let rows: Vec<(String, f64, String)> = areas
        .iter()
        .map(|a| (a.area.clone(), a.searches as f64, a.words.join(", ")))
        .collect();
    drawn(charts::ranked_bars(
        &Label {
            id: "chart-gaps",
            title: "Searches that found nothing, by area",
            description: "Horizontal bars, most first: for each outward code, how many searches \
                          from it found no service, with the words most often searched for. The \
                          table below gives the numbers.",
        },
        &rows,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_of_working_days_by_week_of_arrival() {
        let holidays = BankHolidays::default();
        // Monday 2026-11-16 09:00 UTC, decided the same day; Tuesday, decided on Thursday.
        let monday = 1_794_819_600;
        let items = [
            Item {
                received: monday,
                decided: Some(monday + 3600),
                outcome: None,
            },
            Item {
                received: monday + 86_400,
                decided: Some(monday + 3 * 86_400),
                outcome: None,
            },
            Item {
                received: monday,
                decided: None,
                outcome: None,
            },
        ];
        let medians = decision_days_by_week(&items, &holidays);
        assert_eq!(medians.len(), 1);
        assert_eq!(medians.values().next(), Some(&1.0));
    }
}
