//! Importing and exporting ORUK JSON.
//!
//! An import reads a list of fully nested services, or a paged `/services` response (its
//! `contents`). Every record is checked before anything is written: if any record is bad, the
//! import reports every problem (record id, field, reason) and writes nothing. Otherwise all
//! records are upserted by id in one transaction, so running the same import twice changes
//! nothing.

use super::model::{self, Context, FieldError};
use super::{oruk, repo};
use crate::db::Db;
use serde_json::Value;
use std::collections::HashSet;
use uuid::Uuid;

/// One problem with one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The record's id, or `#N` (its position, from 1) when it has none.
    pub record: String,
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.record, self.field, self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not valid JSON: {0}")]
    Json(String),
    #[error(
        "the file is neither a list of services nor a page of services (an object with `contents`)"
    )]
    Shape,
    #[error("{} problem(s) found, nothing was imported", .0.len())]
    Invalid(Vec<RecordError>),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("this machine's clock gives no valid date: {0}")]
    Clock(String),
}

/// The service records in an ORUK JSON document.
pub fn parse_document(text: &str) -> Result<Vec<Value>, ImportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ImportError::Json(e.to_string()))?;
    match value {
        Value::Array(items) => Ok(items),
        Value::Object(mut page) => match page.remove("contents") {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(ImportError::Shape),
        },
        _ => Err(ImportError::Shape),
    }
}

fn record_name(value: &Value, index: usize) -> String {
    value
        .get("id")
        .and_then(Value::as_str)
        .map(|id| id.chars().take(60).collect())
        .unwrap_or_else(|| format!("#{}", index + 1))
}

/// Checks every record; all good records, or every problem.
pub async fn validate_all(
    db: &Db,
    values: &[Value],
    today: app::domain::IsoDate,
    now: &str,
) -> Result<Vec<model::ServiceRecord>, ImportError> {
    let known_terms = repo::known_terms(db.pool()).await?;
    let mut known_organizations = repo::known_organizations(db.pool()).await?;
    // Organisations given in full anywhere in the file count as known for the others.
    for value in values {
        if let Some(id) = value
            .get("organization")
            .and_then(|o| o.get("id"))
            .and_then(Value::as_str)
            .and_then(|id| Uuid::parse_str(id).ok())
        {
            known_organizations.insert(id);
        }
    }
    let ctx = Context {
        known_terms: &known_terms,
        known_organizations: &known_organizations,
        today,
        now: now.to_owned(),
    };
    let mut errors = Vec::new();
    let mut records = Vec::new();
    let mut seen = HashSet::new();
    for (index, value) in values.iter().enumerate() {
        let record = record_name(value, index);
        let service: oruk::Service = match serde_json::from_value(value.clone()) {
            Ok(s) => s,
            Err(e) => {
                errors.push(RecordError {
                    record,
                    field: "(record)".to_owned(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        if !seen.insert(service.id.trim().to_lowercase()) {
            errors.push(RecordError {
                record: record.clone(),
                field: "id".to_owned(),
                reason: "appears more than once in the file".to_owned(),
            });
        }
        match model::validate(&service, &ctx) {
            Ok(r) => records.push(r),
            Err(field_errors) => errors.extend(field_errors.into_iter().map(
                |FieldError { field, message, .. }| RecordError {
                    record: record.clone(),
                    field,
                    reason: message,
                },
            )),
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(ImportError::Invalid(errors))
    }
}

/// Validates then writes, all or nothing. Returns how many services were imported.
pub async fn import_services(db: &Db, values: &[Value]) -> Result<usize, ImportError> {
    let today = crate::clock::today().map_err(|e| ImportError::Clock(e.to_string()))?;
    let records = validate_all(db, values, today, &crate::clock::now()).await?;
    let mut tx = db.pool().begin().await?;
    // The change number first, before any service row (see search::sync::begin_change).
    crate::search::sync::begin_change(&mut tx).await?;
    for record in &records {
        repo::upsert_service(&mut tx, record).await?;
    }
    repo::delete_orphan_locations(&mut tx).await?;
    tx.commit().await?;
    Ok(records.len())
}

/// Every service, fully nested, in id order: the shape `import_services` reads.
pub async fn export_services(db: &Db) -> Result<Vec<oruk::Service>, sqlx::Error> {
    let mut services = Vec::new();
    for id in repo::all_service_ids(db.pool()).await? {
        if let Some(service) = repo::get_service(db.pool(), &id).await? {
            services.push(service);
        }
    }
    Ok(services)
}
