//! `GET /services/{id}`: one service's page, and how far its places are from a postcode the
//! visitor gave (carried from the results, or asked on the page).

use super::wording::{ages_text, costs_text, miles, modes_text, route_text, Cost};
use super::{render_with, render_with_status};
use crate::directory::model::{ReferralRoute, Status};
use crate::directory::shortlist::Shortlist;
use crate::directory::{oruk, repo};
use crate::search::DeliveryMode;
use crate::state::AppState;
use app::domain::{IsoDate, Outcode, PhoneNumber, Postcode, Schedule, ScheduleInput};
use app::pages::directory::{
    ContactView, DistanceFrom, PhoneView, PlaceView, ScheduleLine, ServicePageModel,
};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;

/// `GET /services/{id}`.
pub async fn service_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request<Body>,
) -> Response {
    let service = if uuid::Uuid::parse_str(&id).is_ok() {
        repo::get_listed_service(state.db.pool(), &id).await
    } else {
        Ok(None)
    };
    match service {
        Ok(Some(s)) if Status::parse(&s.status) != Some(Status::Archived) => {
            let coordinates = place_coordinates(&s);
            let mut model = service_model(s);
            model.shortlisted = Shortlist::from_headers(req.headers()).contains(&model.id);
            let entered = url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
                .find(|(k, _)| k == "postcode")
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default();
            if !entered.is_empty() {
                match distances_from(&state, &entered, &coordinates).await {
                    Ok(Ok((normal, distances))) => {
                        model.distance_from.postcode = normal;
                        for (place, distance) in model.places.iter_mut().zip(distances) {
                            place.distance = distance;
                        }
                    }
                    Ok(Err(message)) => {
                        model.distance_from = DistanceFrom {
                            postcode: entered.chars().take(64).collect(),
                            error: Some(message.to_owned()),
                        };
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "service page: locating a postcode failed");
                        return StatusCode::SERVICE_UNAVAILABLE.into_response();
                    }
                }
            }
            let status = if model.distance_from.error.is_some() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            render_with_status(&state, model, req, status).await
        }
        Ok(_) => {
            let mut response = render_with(&state, (), req).await;
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "service page failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Each place's coordinates, in the order of the service page's places.
fn place_coordinates(s: &oruk::Service) -> Vec<Option<(f64, f64)>> {
    s.service_at_locations
        .iter()
        .filter_map(|sal| sal.location.as_ref())
        .map(|l| l.latitude.zip(l.longitude))
        .collect()
}

/// A postcode, or an outward code, as someone typed it into a search or a service page: its
/// normal form, its outward code (all the search analytics keep) and where it is, if the
/// postcode table knows it.
pub(super) struct Entered {
    pub normal: String,
    pub outcode: String,
    pub place: Option<(f64, f64)>,
}

const NOT_A_POSTCODE: &str = "Enter a real postcode, like BK1 4AB";
pub(super) const UNKNOWN_POSTCODE: &str =
    "We cannot find that postcode. Enter a postcode in Brackenshire, like BK1 4AB";

/// Reads a typed postcode or outward code and places it; `Err` with the message for the field
/// when it is neither.
pub(super) async fn locate_entered(
    state: &AppState,
    typed: &str,
) -> Result<Result<Entered, &'static str>, sqlx::Error> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(Ok(if let Ok(pc) = Postcode::parse(typed) {
        Entered {
            place: repo::locate_postcode(&mut conn, &pc).await?,
            normal: pc.as_str().to_owned(),
            outcode: pc.outward().to_owned(),
        }
    } else if let Ok(oc) = Outcode::parse(typed) {
        Entered {
            place: repo::locate_outcode(&mut conn, oc.as_str()).await?,
            normal: oc.as_str().to_owned(),
            outcode: oc.as_str().to_owned(),
        }
    } else {
        return Ok(Err(NOT_A_POSTCODE));
    }))
}

/// How far each place is from a postcode (or outward code) someone entered: its normal form and
/// "2.3 miles away" for each place with coordinates, or what to tell them when it cannot be used.
async fn distances_from(
    state: &AppState,
    entered: &str,
    places: &[Option<(f64, f64)>],
) -> Result<Result<(String, Vec<Option<String>>), &'static str>, sqlx::Error> {
    let entered = match locate_entered(state, entered).await? {
        Ok(e) => e,
        Err(message) => return Ok(Err(message)),
    };
    let Some((lat, lon)) = entered.place else {
        return Ok(Err(UNKNOWN_POSTCODE));
    };
    let distances = places
        .iter()
        .map(|p| p.map(|(plat, plon)| miles(repo::distance_metres(lat, lon, plat, plon))))
        .collect();
    Ok(Ok((entered.normal, distances)))
}

fn nonblank(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub fn service_model(s: oruk::Service) -> ServicePageModel {
    let modes: Vec<DeliveryMode> = s
        .delivery
        .iter()
        .filter_map(|m| DeliveryMode::parse(m))
        .collect();
    let schedules = s
        .schedules
        .iter()
        .filter_map(|sc| {
            let schedule = Schedule::parse(ScheduleInput {
                freq: sc.freq.clone().unwrap_or_default(),
                byday: sc.byday.clone().unwrap_or_default(),
                opens_at: sc.opens_at.clone().unwrap_or_default(),
                closes_at: sc.closes_at.clone().unwrap_or_default(),
                season: sc.season.clone().unwrap_or_default(),
                valid_from: sc.valid_from.clone(),
                valid_to: sc.valid_to.clone(),
                description: sc.description.clone(),
            })
            .ok()?;
            Some(ScheduleLine {
                summary: schedule.summary(),
                dates: schedule.dates_summary(),
                description: schedule.description().map(str::to_owned),
            })
        })
        .collect();
    let places = s
        .service_at_locations
        .iter()
        .filter_map(|sal| sal.location.as_ref())
        .map(|l| {
            let mut address_lines = Vec::new();
            for a in &l.addresses {
                address_lines.push(a.address_1.clone());
                address_lines.extend(nonblank(a.address_2.clone()));
                address_lines.push(a.city.clone());
                address_lines.push(a.postal_code.clone());
            }
            PlaceView {
                name: nonblank(l.name.clone()),
                distance: None,
                address_lines,
                map_href: match (l.latitude, l.longitude) {
                    (Some(lat), Some(lon)) => Some(format!(
                        "https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=17/{lat:.5}/{lon:.5}"
                    )),
                    _ => None,
                },
                wheelchair_accessible: l.wheelchair_accessible,
                accessibility: l
                    .accessibility
                    .iter()
                    .filter_map(|a| {
                        match (nonblank(a.description.clone()), nonblank(a.details.clone())) {
                            (Some(d), Some(x)) => Some(format!("{d}: {x}")),
                            (Some(d), None) | (None, Some(d)) => Some(d),
                            (None, None) => None,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let costs: Vec<Cost> = s
        .cost_options
        .iter()
        .map(|c| Cost {
            option: c.option.clone(),
            pence: c.amount.map(|a| (a * 100.0).round() as i64),
            per: c.per.clone(),
            description: c.amount_description.clone(),
        })
        .collect();
    let contacts = s
        .contacts
        .iter()
        .map(|c| ContactView {
            name: nonblank(c.name.clone()).or_else(|| nonblank(c.title.clone())),
            phones: c
                .phones
                .iter()
                .map(|p| PhoneView {
                    display: p.number.clone(),
                    tel: PhoneNumber::parse(&p.number)
                        .map(|n| n.e164())
                        .unwrap_or_else(|_| {
                            p.number
                                .chars()
                                .filter(|c| c.is_ascii_digit() || *c == '+')
                                .collect()
                        }),
                    description: nonblank(p.description.clone()),
                })
                .collect(),
            email: nonblank(c.email.clone()),
        })
        .collect();
    let status_note = match Status::parse(&s.status) {
        Some(Status::TemporarilyClosed) => Some(
            "This service is temporarily closed. Contact them to find out when it will open again."
                .to_owned(),
        ),
        _ => None,
    };
    ServicePageModel {
        id: s.id.clone(),
        shortlisted: false,
        organisation: s.organization.as_ref().map(|o| o.name.clone()),
        summary: nonblank(s.summary.clone()),
        description: nonblank(s.description.clone()),
        status_note,
        categories: s
            .attributes
            .iter()
            .filter_map(|a| a.taxonomy_term.as_ref().map(|t| t.name.clone()))
            .collect(),
        ages: ages_text(s.minimum_age, s.maximum_age),
        eligibility: nonblank(s.eligibility.clone()),
        schedules,
        places,
        modes: modes_text(&modes),
        costs: costs_text(&costs),
        access: route_text(s.referral_route.as_deref().and_then(ReferralRoute::parse)),
        contacts,
        email: nonblank(s.email.clone()),
        website: nonblank(s.url.clone()),
        languages: s
            .languages
            .iter()
            .filter_map(|l| nonblank(l.name.clone()))
            .collect(),
        send_local_offer: s
            .send_local_offer
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect(),
        last_reviewed: s
            .last_reviewed
            .as_deref()
            .and_then(|d| IsoDate::parse(d).ok())
            .map(IsoDate::long),
        distance_from: DistanceFrom::default(),
        name: s.name,
    }
}
