//! Performance figures for the Early Help Hub (`/staff/kpis`, and `/staff/kpis.csv`): requests per
//! week by outcome, time from a request arriving to its decision (median and 90th percentile),
//! and the share decided within the 1-working-day standard. Aggregates only: no personal data.
//! The CSV export is audited.

use super::charts::{self, Chart};
use crate::cases::{Outcome, OUTCOMES};
use crate::clock::{date_of_unix, parse_rfc3339};
use crate::directory::search_log::{self, GapArea};
use crate::staff::roles::may;
use crate::staff::view;
use crate::staff::view::form::{SummaryList, SummaryRow};
use crate::staff::workdays::{self, BankHolidays};
use crate::staff::{audit, Result, Staff};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One decided or undecided request, as the figures need it.
#[derive(Debug, Clone)]
pub struct Item {
    pub received: i64,
    pub decided: Option<i64>,
    pub outcome: Option<Outcome>,
}

/// The figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Monday of the week (days since 1970-01-01) → counts by outcome ("undecided" last).
    pub weeks: BTreeMap<i64, [u64; 6]>,
    pub decided: usize,
    /// Hours from arrival to decision.
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    /// Decided within 1 working day, of those decided.
    pub within_standard: usize,
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

pub fn figures(items: &[Item], holidays: &BankHolidays) -> Figures {
    let mut weeks: BTreeMap<i64, [u64; 6]> = BTreeMap::new();
    let mut hours = Vec::new();
    let mut within = 0;
    for item in items {
        let day = workdays::uk_day(item.received);
        let monday = day - (day + 3).rem_euclid(7);
        let column = match item.outcome {
            Some(o) => OUTCOMES.iter().position(|x| *x == o).unwrap_or(5),
            None => 5,
        };
        weeks.entry(monday).or_default()[column] += 1;
        if let Some(decided) = item.decided {
            hours.push((decided - item.received).max(0) as f64 / 3600.0);
            if holidays.working_days_between(item.received, decided) <= 1 {
                within += 1;
            }
        }
    }
    hours.sort_by(f64::total_cmp);
    Figures {
        weeks,
        decided: hours.len(),
        median_hours: percentile(&hours, 50.0),
        p90_hours: percentile(&hours, 90.0),
        within_standard: within,
    }
}

async fn items(pool: &AnyPool) -> Result<Vec<Item>> {
    Ok(sqlx::query(
        "SELECT received_at, decided_at, outcome FROM triage_case WHERE kind = 'early_help'",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .filter_map(|r| {
        let received: String = r.try_get(0).ok()?;
        let decided: Option<String> = r.try_get(1).ok()?;
        let outcome: Option<String> = r.try_get(2).ok()?;
        Some(Item {
            received: parse_rfc3339(&received)?,
            decided: decided.as_deref().and_then(parse_rfc3339),
            outcome: outcome.as_deref().and_then(Outcome::parse),
        })
    })
    .collect())
}

fn week_label(monday: i64) -> String {
    date_of_unix(monday * 86_400)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

fn one_decimal(v: Option<f64>) -> String {
    v.map(|h| format!("{h:.1}")).unwrap_or_default()
}

pub(super) const COLUMNS: [&str; 6] = [
    "Signposted",
    "Targeted service",
    "Stepped up",
    "More information",
    "No further action",
    "Not decided yet",
];

/// Finished carer self-assessments of one form: how many, and how many of those carers then
/// asked to be contacted (the carers' "assessed and given information" measure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfAssessments {
    pub form: &'static str,
    pub completed: i64,
    pub referred: i64,
}

/// Measures from the other journeys: finished self-assessments and referrals, by form, and the
/// searches that found nothing, by outward code (the gap report).
#[derive(Debug, Default)]
pub struct Other {
    /// Finished self-assessments and those who then asked to be contacted, by month
    /// (`YYYY-MM`), oldest first.
    pub carers_by_month: Vec<(String, i64, i64)>,
    /// The gap report: areas whose searches found nothing, most first, with their words.
    pub gaps: Vec<GapArea>,
    pub self_assessments: Vec<SelfAssessments>,
    pub zero_results: Vec<(String, i64)>,
}

fn form_label(form: &str) -> &'static str {
    if form == app::forms::carers::YOUNG.id {
        "Young carers"
    } else {
        "Adult carers"
    }
}

async fn other(pool: &AnyPool) -> Result<Other> {
    let self_assessments = sqlx::query(
        "SELECT form, COUNT(*), COUNT(referred_on) FROM self_assessment_outcome \
         GROUP BY form ORDER BY form",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| -> std::result::Result<SelfAssessments, sqlx::Error> {
        Ok(SelfAssessments {
            form: form_label(&r.try_get::<String, _>(0)?),
            completed: r.try_get(1)?,
            referred: r.try_get(2)?,
        })
    })
    .collect::<std::result::Result<Vec<_>, _>>()?;
    let zero_results = sqlx::query(
        "SELECT COALESCE(outcode, 'No postcode'), COUNT(*) FROM search_event \
         WHERE result_count = 0 GROUP BY COALESCE(outcode, 'No postcode') \
         ORDER BY COUNT(*) DESC, COALESCE(outcode, 'No postcode') LIMIT 50",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| -> std::result::Result<(String, i64), sqlx::Error> {
        Ok((r.try_get(0)?, r.try_get(1)?))
    })
    .collect::<std::result::Result<Vec<_>, _>>()?;
    let carers_by_month = sqlx::query(
        "SELECT SUBSTR(completed_on, 1, 7), COUNT(*), COUNT(referred_on) \
         FROM self_assessment_outcome GROUP BY SUBSTR(completed_on, 1, 7) \
         ORDER BY SUBSTR(completed_on, 1, 7)",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(
        |r| -> std::result::Result<(String, i64, i64), sqlx::Error> {
            Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
        },
    )
    .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Other {
        self_assessments,
        zero_results,
        carers_by_month,
        gaps: search_log::gap_report(pool).await?,
    })
}

/// The other measures as CSV rows (`measure,key,value`).
pub fn other_csv(o: &Other) -> String {
    let mut out = String::from("\nmeasure,key,value\n");
    let clean = |s: &str| s.replace([',', '"', '\n', '\r'], " ");
    for r in &o.self_assessments {
        let _ = writeln!(out, "self_assessments_completed,{},{}", r.form, r.completed);
        let _ = writeln!(out, "self_assessments_referred,{},{}", r.form, r.referred);
    }
    for (k, n) in &o.zero_results {
        let _ = writeln!(out, "zero_result_searches,{},{n}", clean(k));
    }
    out
}

/// `GET /staff/kpis`.
pub async fn page(State(state): State<AppState>, staff: Staff) -> Result<Response> {
    staff.require(may::KPIS)?;
    let items = items(state.db.pool()).await?;
    let f = figures(&items, &state.staff.bank_holidays);
    let medians = charts::decision_days_by_week(&items, &state.staff.bank_holidays);
    let other = other(state.db.pool()).await?;
    Ok(view::page(
        StatusCode::OK,
        "Performance",
        Some(&staff),
        move || {
            view! { <KpiPage f medians other/> }
        },
    ))
}

#[component]
fn KpiPage(f: Figures, medians: BTreeMap<i64, f64>, other: Other) -> impl IntoView {
    let share = if f.decided == 0 {
        "No decisions yet".to_owned()
    } else {
        format!(
            "{:.0}%",
            100.0 * f.within_standard as f64 / f.decided as f64
        )
    };
    let weeks: Vec<(String, Vec<u64>)> = f
        .weeks
        .iter()
        .rev()
        .map(|(monday, counts)| (week_label(*monday), counts.to_vec()))
        .collect();
    const SELF_ASSESSMENTS: &str =
        "Carer self-assessments finished, and carers who then asked to be contacted";
    const ZERO_RESULTS: &str = "Searches that found nothing, by area";
    let requests_chart = charts::requests_by_week(&f.weeks, week_label);
    let decision_chart = charts::decision_time(&medians, week_label);
    let median_rows: Vec<(String, Vec<String>)> = medians
        .iter()
        .rev()
        .map(|(monday, m)| (week_label(*monday), vec![format!("{m:.1}")]))
        .collect();
    let carers_chart = charts::carers_by_month(&other.carers_by_month);
    let carers_rows: Vec<(String, Vec<i64>)> = other
        .carers_by_month
        .iter()
        .map(|(month, finished, asked)| (month.clone(), vec![*finished, *asked]))
        .collect();
    let gaps_chart = charts::gaps(&other.gaps);
    view! {
        <h1 class="govuk-heading-l">"Performance"</h1>
        <SummaryList id="kpis">
            <SummaryRow key="Requests decided">{f.decided}</SummaryRow>
            <SummaryRow key="Decided within 1 working day">{share}</SummaryRow>
            <SummaryRow key="Time to decision, median (hours)">
                {one_decimal(f.median_hours)}
            </SummaryRow>
            <SummaryRow key="Time to decision, 90th percentile (hours)">
                {one_decimal(f.p90_hours)}
            </SummaryRow>
        </SummaryList>
        <h2 class="govuk-heading-m">"Time to a decision"</h2>
        <Chart svg=decision_chart/>
        {(!median_rows.is_empty()).then(|| view! {
            <NumericTable
                caption="Median working days from arrival to decision, by week received"
                key="Week beginning"
                columns=vec!["Median working days"]
                rows=median_rows
                id="decision-time"
            />
        })}
        <h2 class="govuk-heading-m">"Requests by outcome"</h2>
        <Chart svg=requests_chart/>
        <NumericTable
            caption="Requests by week received and outcome"
            key="Week beginning"
            columns=COLUMNS.to_vec()
            rows=weeks
        />
        {if other.self_assessments.is_empty() {
            view! {
                <h2 class="govuk-heading-m">{SELF_ASSESSMENTS}</h2>
                <p class="govuk-body">"No carer has finished a self-assessment yet."</p>
            }
                .into_any()
        } else {
            let rows = other
                .self_assessments
                .iter()
                .map(|r| (r.form.to_owned(), vec![r.completed, r.referred]))
                .collect();
            view! {
                <NumericTable
                    caption=SELF_ASSESSMENTS
                    key="Self-assessment"
                    columns=vec!["Finished", "Asked to be contacted"]
                    rows
                    id="self-assessments"
                />
            }
                .into_any()
        }}
        <Chart svg=carers_chart/>
        {(!carers_rows.is_empty()).then(|| view! {
            <NumericTable
                caption="Carers assessed and given information, by month"
                key="Month"
                columns=vec!["Finished a self-assessment", "Asked to be contacted"]
                rows=carers_rows
                id="carers-by-month"
            />
        })}
        {if other.gaps.is_empty() {
            view! {
                <h2 class="govuk-heading-m">{ZERO_RESULTS}</h2>
                <p class="govuk-body">"No search has found nothing yet."</p>
            }
                .into_any()
        } else {
            view! {
                <h2 class="govuk-heading-m">{ZERO_RESULTS}</h2>
                <Chart svg=gaps_chart/>
                <table class="govuk-table" id="gap-report">
                    <caption class="govuk-table__caption govuk-table__caption--s">
                        "The areas whose searches most often found nothing, with the words most searched for"
                    </caption>
                    <thead class="govuk-table__head">
                        <tr class="govuk-table__row">
                            <th scope="col" class="govuk-table__header">"Outward code"</th>
                            <th scope="col" class="govuk-table__header govuk-table__header--numeric">"Number"</th>
                            <th scope="col" class="govuk-table__header">"Commonest words"</th>
                        </tr>
                    </thead>
                    <tbody class="govuk-table__body">
                        {other
                            .gaps
                            .into_iter()
                            .map(|g| view! {
                                <tr class="govuk-table__row">
                                    <th scope="row" class="govuk-table__header">{g.area}</th>
                                    <td class="govuk-table__cell govuk-table__cell--numeric">{g.searches}</td>
                                    <td class="govuk-table__cell">{g.words.join(", ")}</td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
                .into_any()
        }}
        <p class="govuk-body">
            <a class="govuk-link" href="/staff/kpis.csv" download>
                "Download these figures (CSV)"
            </a>
        </p>
    }
}

/// A table of counts: each row a heading (`key` names its column) and numbers.
#[component]
fn NumericTable<N: ToString + 'static>(
    caption: &'static str,
    key: &'static str,
    columns: Vec<&'static str>,
    rows: Vec<(String, Vec<N>)>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    view! {
        <table class="govuk-table" id=id>
            <caption class="govuk-table__caption govuk-table__caption--m">{caption}</caption>
            <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">{key}</th>
                    {columns
                        .into_iter()
                        .map(|c| {
                            view! {
                                <th
                                    scope="col"
                                    class="govuk-table__header govuk-table__header--numeric"
                                >
                                    {c}
                                </th>
                            }
                        })
                        .collect_view()}
                </tr>
            </thead>
            <tbody class="govuk-table__body">
                {rows
                    .into_iter()
                    .map(|(heading, numbers)| {
                        view! {
                            <tr class="govuk-table__row">
                                <th scope="row" class="govuk-table__header">{heading}</th>
                                {numbers
                                    .into_iter()
                                    .map(|n| {
                                        view! {
                                            <td class="govuk-table__cell govuk-table__cell--numeric">
                                                {n.to_string()}
                                            </td>
                                        }
                                    })
                                    .collect_view()}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The figures as CSV: one row per week, then the summary rows.
pub fn csv(f: &Figures) -> String {
    let mut out = String::from("week_beginning,signposted,targeted,stepped_up,more_information,no_further_action,not_decided\n");
    for (monday, c) in &f.weeks {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            week_label(*monday),
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            c[5]
        );
    }
    let _ = write!(
        out,
        "\nmeasure,value\ndecided,{}\ndecided_within_1_working_day,{}\nmedian_hours_to_decision,{}\np90_hours_to_decision,{}\n",
        f.decided,
        f.within_standard,
        one_decimal(f.median_hours),
        one_decimal(f.p90_hours)
    );
    out
}

/// `GET /staff/kpis.csv` (audited as an export).
pub async fn export(State(state): State<AppState>, staff: Staff) -> Result<Response> {
    staff.require(may::KPIS)?;
    let pool = state.db.pool();
    let f = figures(&items(pool).await?, &state.staff.bank_holidays);
    let mut e = staff.event("export");
    e.detail = Some("kpis.csv");
    audit::record(pool, &state.staff.clock.now(), &e).await?;
    let body = csv(&f) + &other_csv(&other(pool).await?);
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"signpost-kpis.csv\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::workdays::DEFAULT_BANK_HOLIDAYS;

    fn at(text: &str) -> i64 {
        parse_rfc3339(text).unwrap()
    }

    #[test]
    fn figures_count_weeks_percentiles_and_the_standard() {
        let h = BankHolidays::parse(DEFAULT_BANK_HOLIDAYS).unwrap();
        let items = vec![
            // Friday → Monday: 1 working day, 64 hours.
            Item {
                received: at("2026-11-20T16:00:00Z"),
                decided: Some(at("2026-11-23T08:00:00Z")),
                outcome: Some(Outcome::Signpost),
            },
            // Friday → Tuesday: late.
            Item {
                received: at("2026-11-20T09:00:00Z"),
                decided: Some(at("2026-11-24T09:00:00Z")),
                outcome: Some(Outcome::Nfa),
            },
            // Monday, decided the same day after 2 hours.
            Item {
                received: at("2026-11-23T09:00:00Z"),
                decided: Some(at("2026-11-23T11:00:00Z")),
                outcome: Some(Outcome::Signpost),
            },
            Item {
                received: at("2026-11-23T10:00:00Z"),
                decided: None,
                outcome: None,
            },
        ];
        let f = figures(&items, &h);
        assert_eq!(f.decided, 3);
        assert_eq!(f.within_standard, 2);
        assert_eq!(f.median_hours, Some(64.0));
        assert_eq!(f.p90_hours, Some(96.0));
        let weeks: Vec<_> = f.weeks.iter().map(|(m, c)| (week_label(*m), *c)).collect();
        assert_eq!(
            weeks,
            vec![
                ("2026-11-16".to_owned(), [1, 0, 0, 0, 1, 0]),
                ("2026-11-23".to_owned(), [1, 0, 0, 0, 0, 1]),
            ]
        );
        let text = csv(&f);
        assert!(text.starts_with("week_beginning,"));
        assert!(text.contains("2026-11-16,1,0,0,0,1,0\n"));
        assert!(text.contains("median_hours_to_decision,64.0\n"));
    }

    #[test]
    fn no_decisions_no_percentiles() {
        let f = figures(&[], &BankHolidays::default());
        assert_eq!(f.median_hours, None);
        assert_eq!(csv(&f).lines().next(), Some("week_beginning,signposted,targeted,stepped_up,more_information,no_further_action,not_decided"));
    }
}
