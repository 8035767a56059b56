//! The searches families make, stored for the gap report (`search_event`), written in batches
//! off the request path.
//!
//! A results page hands its search to [`SearchLog::record`] and moves on; one task writes what
//! has gathered in a single transaction, then waits a moment so that under load one write
//! carries many searches. If the database falls behind and [`CAPACITY`] searches are waiting,
//! further ones are dropped with a warning: the report is a measure, and pages never wait for it.
//! At shutdown what is waiting is written before the database closes.

use crate::clock;
use crate::db::Db;
use crate::search::text;
use app::domain::Postcode;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Searches waiting to be written, at most.
const CAPACITY: usize = 4096;
/// Searches in one transaction, at most.
const BATCH: usize = 500;
/// The pause after each write, in which the next batch gathers.
const PAUSE: Duration = Duration::from_millis(250);

/// One search: its words, its filters (never the postcode), the outward code and the number of
/// results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchEvent {
    pub words: String,
    pub filters: String,
    pub outcode: Option<String>,
    pub total: u64,
}

/// The words of a search as the gap report keeps them: what was typed, less anything that could
/// identify someone. A full postcode keeps only its outward code ("bk1 4ab" → "bk1"); an email
/// address becomes `[email]`; a number of four digits or more — a phone number, a date of birth —
/// becomes `[number]`, also when it was typed in groups ("01632 960 123"). The other words are
/// kept as the search engine reads them (lower case, accents folded, without stop words), at
/// most [`crate::search::query::MAX_WORDS`] of them.
pub fn recorded_words(typed: &str) -> String {
    let chunks: Vec<&str> = typed.split_whitespace().collect();
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chunks.len() {
        let chunk = chunks[i];
        // A postcode in two parts ("BK1 4AB") or one ("BK14AB").
        if let Some(postcode) = chunks
            .get(i + 1)
            .and_then(|next| Postcode::parse(&format!("{chunk} {next}")).ok())
        {
            words.push(postcode.outward().to_lowercase());
            i += 2;
            continue;
        }
        if let Ok(postcode) = Postcode::parse(chunk) {
            words.push(postcode.outward().to_lowercase());
            i += 1;
            continue;
        }
        if chunk.contains('@') {
            words.push("[email]".to_owned());
            i += 1;
            continue;
        }
        // Digits in groups, as phone numbers and dates are written, count together.
        let mut end = i;
        let mut digits = 0;
        while let Some(c) = chunks.get(end) {
            if end > i && !is_number_group(c) {
                break;
            }
            digits += c.chars().filter(char::is_ascii_digit).count();
            end += 1;
            if !is_number_group(c) {
                break;
            }
        }
        if digits >= 4 {
            words.push("[number]".to_owned());
            i = end;
            continue;
        }
        words.extend(
            text::tokenize(chunk)
                .into_iter()
                .map(|t| t.text)
                .filter(|w| !text::is_stop_word(w)),
        );
        i += 1;
    }
    words.truncate(crate::search::query::MAX_WORDS);
    words.join(" ")
}

/// Digits with the punctuation of phone numbers and dates, and nothing else.
fn is_number_group(chunk: &str) -> bool {
    chunk.chars().any(|c| c.is_ascii_digit())
        && chunk
            .chars()
            .all(|c| c.is_ascii_digit() || "+-()./".contains(c))
}

/// Where the pages send searches (cloning shares the one writer).
#[derive(Clone)]
pub struct SearchLog {
    queue: mpsc::Sender<(String, SearchEvent)>,
}

/// The writer task: ends once every [`SearchLog`] is gone and what was queued is written.
pub struct Writer(JoinHandle<()>);

impl SearchLog {
    pub fn start(db: Db) -> (Self, Writer) {
        let (queue, waiting) = mpsc::channel(CAPACITY);
        (Self { queue }, Writer(tokio::spawn(write_all(db, waiting))))
    }

    /// Queues a search; never waits.
    pub fn record(&self, event: SearchEvent) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.queue.try_send((clock::now(), event))
        {
            tracing::warn!("search analytics queue full: a search was not recorded");
        }
    }
}

impl Writer {
    /// Waits (up to `limit`) for what is queued to be written.
    pub async fn finish(self, limit: Duration) {
        let mut handle = self.0;
        if tokio::time::timeout(limit, &mut handle).await.is_err() {
            tracing::warn!("search analytics: shutdown came before the queue was written");
            handle.abort();
        }
    }
}

async fn write_all(db: Db, mut waiting: mpsc::Receiver<(String, SearchEvent)>) {
    let mut batch = Vec::with_capacity(BATCH);
    while waiting.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(e) = write(&db, &batch).await {
            tracing::warn!(error = %e, searches = batch.len(), "recording searches for the gap report failed");
        }
        batch.clear();
        if !waiting.is_closed() {
            tokio::time::sleep(PAUSE).await;
        }
    }
}

async fn write(db: &Db, batch: &[(String, SearchEvent)]) -> Result<(), sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    for (at, e) in batch {
        sqlx::query(
            "INSERT INTO search_event (id, searched_at, query, filters, outcode, result_count) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(at)
        .bind(&e.words)
        .bind(&e.filters)
        .bind(&e.outcode)
        .bind(i64::try_from(e.total).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// One area of the gap report: the searches from it that found nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapArea {
    /// The outward code, or "No postcode".
    pub area: String,
    pub searches: i64,
    /// Its commonest search words, most common first (at most [`GAP_WORDS`]).
    pub words: Vec<String>,
}

/// Areas in the gap report, at most.
pub const GAP_AREAS: usize = 20;
/// Words shown for each area, at most.
pub const GAP_WORDS: usize = 3;
/// Zero-result searches read for the report, at most (the newest).
const GAP_SEARCHES: i64 = 20_000;

/// The gap report: the areas whose searches most often found nothing, most first, each with its
/// commonest words. Reads the newest [`GAP_SEARCHES`] zero-result searches.
pub async fn gap_report(pool: &sqlx::AnyPool) -> Result<Vec<GapArea>, sqlx::Error> {
    use sqlx::Row;
    use std::collections::HashMap;
    let rows = sqlx::query(
        "SELECT COALESCE(outcode, 'No postcode'), query FROM search_event \
         WHERE result_count = 0 ORDER BY searched_at DESC LIMIT $1",
    )
    .bind(GAP_SEARCHES)
    .fetch_all(pool)
    .await?;
    let mut areas: HashMap<String, (i64, HashMap<String, i64>)> = HashMap::new();
    for row in rows {
        let area: String = row.try_get(0)?;
        let words: String = row.try_get(1)?;
        let entry = areas.entry(area).or_default();
        entry.0 += 1;
        for word in words.split_whitespace() {
            *entry.1.entry(word.to_owned()).or_default() += 1;
        }
    }
    let mut report: Vec<GapArea> = areas
        .into_iter()
        .map(|(area, (searches, words))| {
            let mut words: Vec<(String, i64)> = words.into_iter().collect();
            words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            GapArea {
                area,
                searches,
                words: words.into_iter().take(GAP_WORDS).map(|(w, _)| w).collect(),
            }
        })
        .collect();
    report.sort_by(|a, b| {
        b.searches
            .cmp(&a.searches)
            .then_with(|| a.area.cmp(&b.area))
    });
    report.truncate(GAP_AREAS);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::recorded_words;

    #[test]
    fn the_gap_report_keeps_the_words_but_nothing_that_identifies_anyone() {
        assert_eq!(recorded_words("Autism group"), "autism group");
        assert_eq!(recorded_words("swimming for under 5s"), "swimming under 5s");
        assert_eq!(recorded_words("swimming near BK1 4AB"), "swimming bk1");
        assert_eq!(recorded_words("bk14ab nursery"), "bk1 nursery");
        assert_eq!(recorded_words("jane.doe@example.com"), "[email]");
        assert_eq!(
            recorded_words("call 01632 960 123 please"),
            "call [number] please"
        );
        assert_eq!(recorded_words("+44 (0)1632-960123"), "[number]");
        assert_eq!(recorded_words("born 12/03/2015"), "born [number]");
        // Ages, age ranges and short numbers stay: they are what a gap report needs.
        assert_eq!(recorded_words("club for 8 to 12"), "club 8 12");
        assert_eq!(recorded_words("0-4 groups"), "0 4 groups");
        // An outward code alone is kept as it is.
        assert_eq!(recorded_words("BK2 playgroups"), "bk2 playgroups");
        assert_eq!(recorded_words(""), "");
    }
}
