//! How a listing reads to a family: ages, costs, ways it is delivered, how to access it and how
//! far away it is. Used by the results cards ([`super::super::cache`]), the service page, the
//! shortlist and the carers' matched services, so a listing says the same thing everywhere.

use crate::directory::model::ReferralRoute;
use crate::search::{DeliveryMode, Segment};
use app::pages::directory::TextPart;

/// "Ages 5 to 11", "Ages 18 and over", "All ages".
pub fn ages_text(min: Option<i64>, max: Option<i64>) -> String {
    match (min.filter(|m| *m > 0), max) {
        (None, None) => "All ages".to_owned(),
        (Some(a), None) => format!("Ages {a} and over"),
        (None, Some(b)) => format!("Ages 0 to {b}"),
        (Some(a), Some(b)) => format!("Ages {a} to {b}"),
    }
}

/// "In person, online and by phone".
pub fn modes_text(modes: &[DeliveryMode]) -> String {
    let words: Vec<String> = modes
        .iter()
        .enumerate()
        .map(|(i, m)| {
            if i == 0 {
                m.label().to_owned()
            } else {
                m.label().to_lowercase()
            }
        })
        .collect();
    match words.split_last() {
        None => "Contact the service to ask how it is delivered".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// One cost option as a family reads it.
pub struct Cost {
    pub option: Option<String>,
    pub pence: Option<i64>,
    pub per: Option<String>,
    pub description: Option<String>,
}

/// "Free", "Free: bring a packed lunch", "Siblings: £3.50 per session".
pub fn costs_text(costs: &[Cost]) -> Vec<String> {
    if costs.is_empty() {
        return vec!["Contact the service to ask about cost".to_owned()];
    }
    if costs.iter().all(|c| c.pence.unwrap_or(0) == 0) {
        let extra: Vec<String> = costs.iter().filter_map(|c| c.description.clone()).collect();
        return if extra.is_empty() {
            vec!["Free".to_owned()]
        } else {
            vec![format!("Free: {}", extra.join("; "))]
        };
    }
    costs
        .iter()
        .map(|c| {
            let mut text = match c.pence.unwrap_or(0) {
                0 => "Free".to_owned(),
                p => format!("£{}.{:02}", p / 100, p % 100),
            };
            if let Some(per) = c.per.as_deref().filter(|p| !p.trim().is_empty()) {
                text.push_str(&format!(" per {}", per.trim()));
            }
            if let Some(option) = c.option.as_deref().filter(|o| !o.trim().is_empty()) {
                text = format!("{}: {text}", option.trim());
            }
            if let Some(d) = c.description.as_deref().filter(|d| !d.trim().is_empty()) {
                text.push_str(&format!(" ({})", d.trim()));
            }
            text
        })
        .collect()
}

/// "1.2 miles away".
pub fn miles(metres: f64) -> String {
    let miles = metres / 1609.344;
    if miles < 0.1 {
        "Less than 0.1 miles away".to_owned()
    } else {
        format!("{miles:.1} miles away")
    }
}

/// A referral route as a filter option ("Drop in").
pub fn route_label(route: ReferralRoute) -> &'static str {
    match route {
        ReferralRoute::SelfReferral => "Contact them yourself",
        ReferralRoute::DropIn => "Drop in",
        ReferralRoute::Professional => "Through a professional",
    }
}

/// How to access a service, in a sentence for its page.
pub fn route_text(route: Option<ReferralRoute>) -> String {
    match route {
        Some(ReferralRoute::Professional) => {
            "Through a professional: ask your GP, health visitor, school, social worker or the \
             Family Information Service to refer you."
        }
        Some(ReferralRoute::DropIn) => {
            "Drop in: just turn up when it is open. You do not need to book or be referred."
        }
        _ => "Contact the service yourself: you do not need anyone to refer you.",
    }
    .to_owned()
}

/// Search-engine text with its highlights, for the page.
pub fn parts(segments: &[Segment]) -> Vec<TextPart> {
    segments
        .iter()
        .map(|s| TextPart {
            text: s.text.clone(),
            highlighted: s.highlighted,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(ages_text(None, None), "All ages");
        assert_eq!(ages_text(Some(0), Some(4)), "Ages 0 to 4");
        assert_eq!(ages_text(Some(5), Some(11)), "Ages 5 to 11");
        assert_eq!(ages_text(Some(18), None), "Ages 18 and over");
    }

    #[test]
    fn modes_and_costs_read_naturally() {
        assert_eq!(
            modes_text(&[
                DeliveryMode::InPerson,
                DeliveryMode::Online,
                DeliveryMode::Telephone
            ]),
            "In person, online and by phone"
        );
        assert_eq!(modes_text(&[DeliveryMode::Online]), "Online");
        let free = Cost {
            option: None,
            pence: Some(0),
            per: None,
            description: None,
        };
        assert_eq!(costs_text(&[free]), ["Free"]);
        let paid = Cost {
            option: Some("Siblings".into()),
            pence: Some(350),
            per: Some("session".into()),
            description: None,
        };
        assert_eq!(costs_text(&[paid]), ["Siblings: £3.50 per session"]);
        assert_eq!(costs_text(&[]), ["Contact the service to ask about cost"]);
    }

    #[test]
    fn distances_read_in_miles() {
        assert_eq!(miles(50.0), "Less than 0.1 miles away");
        assert_eq!(miles(1609.344 * 2.34), "2.3 miles away");
    }
}
