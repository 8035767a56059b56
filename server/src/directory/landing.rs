//! `/young-carers` and `/carers`: landing pages built on the directory's search. Each section is
//! a search (categories, ages, times) showing its first few services and linking to the results
//! page with the same filters.

use super::pages::{cards, render_with};
use crate::search::{Filters, QueryText, SearchQuery, SortOrder};
use crate::state::AppState;
use app::domain::TimeOfDayBand;
use app::pages::landing::{LandingModel, LandingSection, LandingService};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::StatusCode;

/// Services shown in each section.
const SHOWN: u32 = 4;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/young-carers", get(young_carers))
        .route("/carers", get(carers))
}

/// One section: what it is about, and its search.
struct Spec {
    heading: &'static str,
    text: &'static str,
    categories: &'static [&'static str],
    age: Option<u8>,
    evening: bool,
    holidays: bool,
}

const YOUNG_CARERS: [Spec; 5] = [
    Spec {
        heading: "Groups for 8 to 11 year olds",
        text: "Meet other young carers your age, have fun and take a break.",
        categories: &["young-carers"],
        age: Some(9),
        evening: false,
        holidays: false,
    },
    Spec {
        heading: "Groups for 12 to 17 year olds",
        text: "Time with other teenagers who help look after someone at home.",
        categories: &["young-carers"],
        age: Some(14),
        evening: false,
        holidays: false,
    },
    Spec {
        heading: "In the evening",
        text: "Groups and clubs after school, in the evening.",
        categories: &["young-carers"],
        age: None,
        evening: true,
        holidays: false,
    },
    Spec {
        heading: "In the school holidays",
        text: "Days out, activities and trips in the holidays.",
        categories: &["young-carers"],
        age: None,
        evening: false,
        holidays: true,
    },
    Spec {
        heading: "Young adult carers (18 to 25)",
        text: "Help with moving on to college, work or living on your own while you care.",
        categories: &["young-carers.young-adult-carers"],
        age: None,
        evening: false,
        holidays: false,
    },
];

const ADULT_CARERS: [Spec; 4] = [
    Spec {
        heading: "Peer support groups",
        text: "Meet other carers who understand what caring is like.",
        categories: &["adult-carers.peer-support-groups"],
        age: None,
        evening: false,
        holidays: false,
    },
    Spec {
        heading: "Groups in the evening",
        text: "For carers who work or care during the day.",
        categories: &["adult-carers"],
        age: None,
        evening: true,
        holidays: false,
    },
    Spec {
        heading: "Breaks and respite",
        text: "Short breaks, sitting services and respite care, so you can have time for yourself.",
        categories: &[
            "adult-carers.breaks-and-respite",
            "adult-carers.sitting-services",
        ],
        age: None,
        evening: false,
        holidays: false,
    },
    Spec {
        heading: "Money and benefits advice",
        text: "Check you get the Carer's Allowance and other money you are entitled to.",
        categories: &[
            "money-and-housing.money-and-benefits-advice",
            "adult-carers.carers-advice",
        ],
        age: None,
        evening: false,
        holidays: false,
    },
];

impl Spec {
    fn filters(&self) -> Filters {
        Filters {
            categories: self.categories.iter().map(|c| (*c).to_owned()).collect(),
            age: self.age,
            times: if self.evening {
                vec![TimeOfDayBand::Evening]
            } else {
                Vec::new()
            },
            school_holidays: self.holidays,
            ..Filters::default()
        }
    }

    /// The results page with the same filters.
    fn href(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for c in self.categories {
            s.append_pair("category", c);
        }
        if let Some(age) = self.age {
            s.append_pair("age", &age.to_string());
        }
        if self.evening {
            s.append_pair("time", TimeOfDayBand::Evening.as_str());
        }
        if self.holidays {
            s.append_pair("holidays", "yes");
        }
        format!("/search?{}", s.finish())
    }
}

async fn section(state: &AppState, spec: &Spec) -> Result<LandingSection, String> {
    let query = SearchQuery::new(
        QueryText::default(),
        spec.filters(),
        None,
        SortOrder::Relevance,
        1,
        SHOWN,
    )
    .map_err(|e| e.to_string())?;
    let generation = state.search.generation();
    let results = state
        .search
        .search(&query)
        .await
        .map_err(|e| e.to_string())?;
    let found = cards(state, generation, &results)
        .await
        .map_err(|e| e.to_string())?;
    let plain = |parts: &[app::pages::directory::TextPart]| -> String {
        parts.iter().map(|p| p.text.as_str()).collect()
    };
    Ok(LandingSection {
        heading: spec.heading,
        text: spec.text,
        services: found
            .iter()
            .map(|c| LandingService {
                id: c.id.clone(),
                name: plain(&c.name),
                summary: plain(&c.summary),
                when: c.schedules.first().cloned(),
            })
            .collect(),
        total: results.total,
        see_all: spec.href(),
    })
}

async fn page(
    state: AppState,
    req: Request<Body>,
    mut model: LandingModel,
    specs: &[Spec],
) -> Response {
    for spec in specs {
        match section(&state, spec).await {
            Ok(s) => model.sections.push(s),
            Err(e) => {
                tracing::error!(error = %e, "landing page: a section's search failed");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
    }
    render_with(&state, model, req).await
}

async fn young_carers(State(state): State<AppState>, req: Request<Body>) -> Response {
    let model = LandingModel {
        title: "Young carers",
        lead:
            "If you help look after someone in your family who is ill, disabled, or has a problem \
               with drugs, alcohol or their mental health, you are a young carer. There is help \
               and there are groups just for you.",
        assessment: (
            "Tell us about your caring",
            "/young-carers/self-assessment",
            "Tell us what you do and how you feel about it, and we will show you help that fits. \
             It is not a test of how well you care.",
        ),
        sections: Vec::new(),
    };
    page(state, req, model, &YOUNG_CARERS).await
}

async fn carers(State(state): State<AppState>, req: Request<Body>) -> Response {
    let model = LandingModel {
        title: "Support for carers",
        lead: "If you look after a family member, partner or friend who needs help because of an \
               illness, disability, mental health problem or addiction, you are a carer, and you \
               can get support for yourself.",
        assessment: (
            "Start a carer's self-assessment",
            "/carers/self-assessment",
            "Tell us about your caring and how it affects you: you will get a summary to keep, \
             services that fit your answers, and you can ask the carers' team to contact you.",
        ),
        sections: Vec::new(),
    };
    page(state, req, model, &ADULT_CARERS).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn see_all_links_carry_the_sections_filters() {
        assert_eq!(
            YOUNG_CARERS[0].href(),
            "/search?category=young-carers&age=9"
        );
        assert_eq!(
            ADULT_CARERS[1].href(),
            "/search?category=adult-carers&time=evening"
        );
        assert_eq!(
            YOUNG_CARERS[3].href(),
            "/search?category=young-carers&holidays=yes"
        );
    }
}
