//! Importing and exporting ORUK JSON.
//!
//! An import reads a list of fully nested services, or a paged `/services` response (its
//! `contents`). Every record is checked before anything is written: if any record is bad, the
//! import reports every problem (record id, field, reason) and writes nothing. Otherwise all
//! records are upserted by id in one transaction, so running the same import twice changes
//! nothing (a record identical to the one last imported is not written again).
//!
//! A feed's own taxonomy terms are kept and mapped (`super::mapping`): a service whose terms are
//! all unmapped is imported but waits, not public, for a category. A feed's listing that staff
//! edited here is left as they left it (README, "Feeds"). [`ImportReport`] counts what happened.

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
    let mapping = super::mapping::Mapping::load(db.pool()).await?;
    let ctx = Context {
        known_terms: &known_terms,
        known_organizations: &known_organizations,
        today,
        now: now.to_owned(),
        mapping: Some(&mapping),
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

/// Validates then writes, all or nothing, as listings made here (source "Brackenshire"). Returns
/// how many services the file held.
pub async fn import_services(db: &Db, values: &[Value]) -> Result<usize, ImportError> {
    let today = crate::clock::today().map_err(|e| ImportError::Clock(e.to_string()))?;
    let report = import(
        db,
        values,
        &Provenance {
            source: repo::LOCAL_SOURCE,
            archive_missing: false,
        },
        today,
        &crate::clock::now(),
    )
    .await?;
    Ok(report.total())
}

/// Where the records come from, and whether this is the whole of that source.
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'a> {
    /// The feed's name, or "Brackenshire" ([`repo::LOCAL_SOURCE`]) for a file.
    pub source: &'a str,
    /// The records are everything the source has: its services not among them are archived.
    pub archive_missing: bool,
}

/// What an import did, service by service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Imported services (new, updated or unchanged) waiting for a mapping: not public.
    pub waiting: usize,
    /// The source's services that were not in the import, archived.
    pub archived: usize,
    /// Feed listings edited here, left as staff left them.
    pub kept: usize,
}

impl ImportReport {
    /// How many services the import held.
    pub fn total(&self) -> usize {
        self.created + self.updated + self.unchanged + self.kept
    }
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} created, {} updated, {} unchanged, {} waiting for a category mapping",
            self.created, self.updated, self.unchanged, self.waiting
        )?;
        if self.kept > 0 {
            write!(f, ", {} kept as edited here", self.kept)?;
        }
        if self.archived > 0 {
            write!(f, ", {} archived (gone from the feed)", self.archived)?;
        }
        Ok(())
    }
}

/// The SHA-256 of a record as given (keys in order: `serde_json` sorts them).
fn record_hash(value: &Value) -> String {
    use sha2::Digest;
    let text = serde_json::to_string(value).unwrap_or_default();
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// Validates every record, then writes them all in one transaction (or nothing).
pub async fn import(
    db: &Db,
    values: &[Value],
    provenance: &Provenance<'_>,
    today: app::domain::IsoDate,
    now: &str,
) -> Result<ImportReport, ImportError> {
    let records = validate_all(db, values, today, now).await?;
    let stored = repo::stored_states(db.pool()).await?;
    let mut report = ImportReport::default();
    let mut seen = HashSet::new();
    let mut tx = repo::begin_write(db.pool()).await?;
    for (value, record) in values.iter().zip(&records) {
        let id = record.id.to_string();
        let hash = record_hash(value);
        seen.insert(id.clone());
        if record.awaiting_mapping {
            report.waiting += 1;
        }
        match stored.get(&id) {
            Some(state) if state.local_override => {
                report.kept += 1;
                if record.awaiting_mapping {
                    report.waiting -= 1;
                }
                continue;
            }
            Some(state)
                if state.source == provenance.source
                    && state.source_hash.as_deref() == Some(hash.as_str())
                    && state.status == record.status.as_db() =>
            {
                report.unchanged += 1;
                continue;
            }
            Some(_) => report.updated += 1,
            None => report.created += 1,
        }
        repo::upsert_service(&mut tx, record).await?;
        repo::record_provenance(&mut tx, &id, provenance.source, &hash).await?;
        repo::replace_foreign_terms(&mut tx, &id, &record.foreign_terms).await?;
    }
    if provenance.archive_missing {
        report.archived =
            repo::archive_missing(&mut tx, provenance.source, &seen, now).await? as usize;
    }
    repo::delete_orphan_locations(&mut tx).await?;
    tx.commit().await?;
    Ok(report)
}

/// Every service, fully nested, in id order: the shape `import_services` reads.
pub async fn export_services(db: &Db) -> Result<Vec<oruk::Service>, sqlx::Error> {
    let mut services = Vec::new();
    for id in repo::all_service_ids(db.pool()).await? {
        if let Some(mut service) = repo::get_service(db.pool(), &id).await? {
            // The feed's own terms too, so an export imports again with them.
            service
                .attributes
                .extend(repo::foreign_attributes(db.pool(), &id).await?);
            services.push(service);
        }
    }
    Ok(services)
}
