//! Importing postcode centroids from the ONS Postcode Directory (ONSPD) CSV format.
//!
//! The file has a header row; Signpost reads the columns `pcds` (or `pcd`), `lat`, `long` and,
//! when present, `doterm`. Terminated postcodes (a `doterm`) and postcodes without a grid
//! reference (ONS writes latitude 99.999999) are skipped and counted. Any malformed row stops the
//! import with its line number and nothing is written.

use super::repo;
use crate::db::Db;
use app::domain::Postcode;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct PostcodeReport {
    pub imported: usize,
    pub terminated: usize,
    pub without_coordinates: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PostcodeImportError {
    #[error("cannot read the file: {0}")]
    Read(String),
    #[error("the header has no {0} column: is this an ONS Postcode Directory CSV file?")]
    MissingColumn(&'static str),
    #[error("{} problem(s) found, nothing was imported; first: {}", .0.len(), .0.first().map(String::as_str).unwrap_or_default())]
    Invalid(Vec<String>),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A postcode and its centroid (latitude, longitude).
pub type Centroid = (Postcode, f64, f64);

/// Parses the CSV text into postcodes with coordinates.
pub fn parse(text: &str) -> Result<(Vec<Centroid>, PostcodeReport), PostcodeImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| PostcodeImportError::Read(e.to_string()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let postcode_col = column("pcds")
        .or_else(|| column("pcd"))
        .ok_or(PostcodeImportError::MissingColumn("pcds"))?;
    let lat_col = column("lat").ok_or(PostcodeImportError::MissingColumn("lat"))?;
    let long_col = column("long").ok_or(PostcodeImportError::MissingColumn("long"))?;
    let doterm_col = column("doterm");

    let mut report = PostcodeReport::default();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let field = |c: usize| record.get(c).unwrap_or_default().trim();
        if doterm_col.is_some_and(|c| !field(c).is_empty()) {
            report.terminated += 1;
            continue;
        }
        let postcode = match Postcode::parse(field(postcode_col)) {
            Ok(p) => p,
            Err(e) => {
                errors.push(format!("line {line}: '{}': {e}", field(postcode_col)));
                continue;
            }
        };
        let (Ok(lat), Ok(lon)) = (
            field(lat_col).parse::<f64>(),
            field(long_col).parse::<f64>(),
        ) else {
            errors.push(format!(
                "line {line}: latitude and longitude must be numbers"
            ));
            continue;
        };
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            // 99.999999 / 0.000000: no grid reference.
            report.without_coordinates += 1;
            continue;
        }
        rows.push((postcode, lat, lon));
    }
    if !errors.is_empty() {
        return Err(PostcodeImportError::Invalid(errors));
    }
    report.imported = rows.len();
    Ok((rows, report))
}

/// Parses and stores, all or nothing.
pub async fn import(db: &Db, text: &str) -> Result<PostcodeReport, PostcodeImportError> {
    let (rows, report) = parse(text)?;
    let mut tx = db.pool().begin().await?;
    repo::upsert_postcodes(&mut tx, &rows).await?;
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "pcd,pcd2,pcds,dointr,doterm,lat,long\n\
        BK1 4AB,BK1  4AB,BK1 4AB,202001,,52.34211,-1.51544\n\
        BK9 9ZZ,BK9  9ZZ,BK9 9ZZ,199801,201512,52.1,-1.2\n\
        BK2 1XX,BK2  1XX,BK2 1XX,202001,,99.999999,0.000000\n";

    #[test]
    fn reads_the_onspd_columns_and_skips_what_it_should() {
        let (rows, report) = parse(SAMPLE).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0.as_str(), "BK1 4AB");
        assert_eq!(
            report,
            PostcodeReport {
                imported: 1,
                terminated: 1,
                without_coordinates: 1
            }
        );
    }

    #[test]
    fn a_bad_row_fails_the_whole_file_with_its_line() {
        let text = format!("{SAMPLE}NOT A POSTCODE,x,NOT A POSTCODE,202001,,52.0,-1.0\n");
        match parse(&text) {
            Err(PostcodeImportError::Invalid(errors)) => assert!(errors[0].starts_with("line 5:")),
            other => panic!("expected a line error, got {other:?}"),
        }
    }

    #[test]
    fn a_file_without_coordinates_columns_is_refused() {
        assert!(matches!(
            parse("pcds,foo\nBK1 4AB,1\n"),
            Err(PostcodeImportError::MissingColumn("lat"))
        ));
    }
}
