//! Synonyms: groups of words and phrases that mean the same to a family ("ASD", "autism",
//! "autistic"). Stored in the database (`search_synonym`, seeded by a migration with the shipped
//! list, editable by admins), given to Meilisearch as its synonyms setting and expanded into the
//! query by the embedded engine.

use super::text;
use crate::clock;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::BTreeMap;

/// The longest synonym phrase, in words.
pub const MAX_PHRASE_WORDS: usize = 5;
/// The longest group as typed, in characters.
pub const MAX_GROUP_CHARS: usize = 500;

/// One term of a group: its words as a query sees them (stop words left out, to match against
/// the query's words) and as the text has them (every word, for phrase matching).
#[derive(Debug, Clone, PartialEq, Eq)]
struct SynonymTerm {
    key: Vec<String>,
    phrase: Vec<String>,
}

/// Synonym groups, each term normalised into its words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    groups: Vec<Vec<SynonymTerm>>,
}

/// Alternatives for the query words `start..start + len`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    pub start: usize,
    pub len: usize,
    /// Each alternative's words, stop words included, to find as a phrase (the matched term
    /// itself is not included).
    pub alternatives: Vec<Vec<String>>,
}

fn normalise(term: &str) -> Option<SynonymTerm> {
    let phrase: Vec<String> = text::tokenize(term)
        .into_iter()
        .map(|t| t.text)
        .take(MAX_PHRASE_WORDS)
        .collect();
    let key: Vec<String> = phrase
        .iter()
        .filter(|w| !text::is_stop_word(w))
        .cloned()
        .collect();
    (!key.is_empty()).then_some(SynonymTerm { key, phrase })
}

impl Synonyms {
    /// Groups of terms; terms are normalised like queries, empty terms and groups of fewer than
    /// two distinct terms are dropped.
    pub fn from_groups<I, G, S>(groups: I) -> Self
    where
        I: IntoIterator<Item = G>,
        G: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out = Vec::new();
        for group in groups {
            let mut terms: Vec<SynonymTerm> = Vec::new();
            for term in group {
                if let Some(term) = normalise(term.as_ref()) {
                    if !terms.iter().any(|t| t.key == term.key) {
                        terms.push(term);
                    }
                }
            }
            if terms.len() >= 2 {
                out.push(terms);
            }
        }
        Self { groups: out }
    }

    /// Each group as its terms joined by ", ".
    pub fn to_lines(&self) -> Vec<String> {
        self.groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|t| t.phrase.join(" "))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Every run of query words that is a synonym term, with the other terms of its groups.
    pub fn expansions(&self, words: &[String]) -> Vec<Expansion> {
        let mut out = Vec::new();
        for start in 0..words.len() {
            for len in 1..=MAX_PHRASE_WORDS.min(words.len() - start) {
                let span = &words[start..start + len];
                let mut alternatives: Vec<Vec<String>> = Vec::new();
                for group in &self.groups {
                    if group.iter().any(|t| t.key.as_slice() == span) {
                        for term in group {
                            if term.key.as_slice() != span && !alternatives.contains(&term.phrase) {
                                alternatives.push(term.phrase.clone());
                            }
                        }
                    }
                }
                if !alternatives.is_empty() {
                    out.push(Expansion {
                        start,
                        len,
                        alternatives,
                    });
                }
            }
        }
        out
    }

    /// Meilisearch's `synonyms` setting: every term maps to the other terms of its groups.
    pub fn to_meili(&self) -> BTreeMap<String, Vec<String>> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for group in &self.groups {
            for term in group {
                let key = term.phrase.join(" ");
                let entry = map.entry(key.clone()).or_default();
                for other in group {
                    let other = other.phrase.join(" ");
                    if other != key && !entry.contains(&other) {
                        entry.push(other);
                    }
                }
            }
        }
        map
    }
}

/// The synonyms stored in the database, in order.
pub async fn load(pool: &AnyPool) -> Result<Synonyms, sqlx::Error> {
    let rows = sqlx::query("SELECT terms FROM search_synonym ORDER BY position, id")
        .fetch_all(pool)
        .await?;
    let groups: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.try_get::<String, _>(0).map(|terms| {
                terms
                    .split(',')
                    .map(|t| t.trim().to_owned())
                    .collect::<Vec<_>>()
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Synonyms::from_groups(groups))
}

/// A summary that changes whenever the stored synonyms change.
pub async fn version(pool: &AnyPool) -> Result<String, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*), MAX(updated_at) FROM search_synonym")
        .fetch_one(pool)
        .await?;
    let count: i64 = row.try_get(0)?;
    let latest: Option<String> = row.try_get(1)?;
    Ok(format!("{count}/{}", latest.unwrap_or_default()))
}

#[derive(Debug, thiserror::Error)]
pub enum SynonymError {
    #[error("a synonym group needs at least two different words or phrases, separated by commas")]
    TooFew,
    #[error("a synonym group can be at most {MAX_GROUP_CHARS} characters")]
    TooLong,
    #[error("each word or phrase in a synonym group can have at most {MAX_PHRASE_WORDS} words")]
    PhraseTooLong,
    #[error("there is no synonym group number {0}")]
    NoSuchGroup(i64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The terms of a group as typed ("ASD,  autism , autistic"): trimmed, spaces collapsed, empty
/// terms dropped; an error unless at least two different terms remain.
pub fn parse_group(line: &str) -> Result<Vec<String>, SynonymError> {
    if line.chars().count() > MAX_GROUP_CHARS {
        return Err(SynonymError::TooLong);
    }
    let terms: Vec<String> = line
        .split(',')
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
        .collect();
    // Longer phrases would be cut short without a word (see `normalise`).
    if terms
        .iter()
        .any(|t| text::tokenize(t).len() > MAX_PHRASE_WORDS)
    {
        return Err(SynonymError::PhraseTooLong);
    }
    if Synonyms::from_groups([terms.clone()]).is_empty() {
        return Err(SynonymError::TooFew);
    }
    Ok(terms)
}

/// Adds a group ("asd, autism, autistic"), on a connection or in a transaction; returns its
/// number.
pub async fn add(conn: &mut AnyConnection, line: &str) -> Result<i64, SynonymError> {
    use sqlx::Connection;
    let terms = parse_group(line)?;
    // One transaction (a savepoint inside the caller's): the group and its change-feed entry.
    let mut tx = conn.begin().await?;
    let next: i64 = sqlx::query("SELECT COALESCE(MAX(position), 0) + 1 FROM search_synonym")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    sqlx::query(
        "INSERT INTO search_synonym (id, terms, position, updated_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(terms.join(", "))
    .bind(next)
    .bind(clock::now())
    .execute(&mut *tx)
    .await?;
    super::sync::record_synonyms(&mut tx).await?;
    tx.commit().await?;
    Ok(next)
}

/// Removes group number `position` (as `signpost synonyms list` numbers them).
pub async fn remove(pool: &AnyPool, position: i64) -> Result<(), SynonymError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query("DELETE FROM search_synonym WHERE position = $1")
        .bind(position)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(SynonymError::NoSuchGroup(position));
    }
    super::sync::record_synonyms(&mut tx).await?;
    tx.commit().await?;
    // Deleting changes COUNT(*), so the version changes even though no row's time did.
    Ok(())
}

/// Every group with its number.
pub async fn list(pool: &AnyPool) -> Result<Vec<(i64, String)>, sqlx::Error> {
    Ok(groups(pool)
        .await?
        .into_iter()
        .map(|g| (g.number, g.terms))
        .collect())
}

/// A stored group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub number: i64,
    /// Its terms joined by ", ".
    pub terms: String,
}

/// Every stored group, in order.
pub async fn groups(pool: &AnyPool) -> Result<Vec<Group>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, position, terms FROM search_synonym ORDER BY position, id")
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Group {
                id: r.try_get(0)?,
                number: r.try_get(1)?,
                terms: r.try_get(2)?,
            })
        })
        .collect()
}

/// Removes the group with this id (the admin page names groups by id: two groups added at the
/// same moment can share a number); returns it, or None if there is no such group.
pub async fn remove_group(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<Group>, sqlx::Error> {
    use sqlx::Connection;
    let mut tx = conn.begin().await?;
    let conn = &mut *tx;
    let Some(row) = sqlx::query("SELECT id, position, terms FROM search_synonym WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let group = Group {
        id: row.try_get(0)?,
        number: row.try_get(1)?,
        terms: row.try_get(2)?,
    };
    let done = sqlx::query("DELETE FROM search_synonym WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(None);
    }
    super::sync::record_synonyms(conn).await?;
    tx.commit().await?;
    Ok(Some(group))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_groups_are_checked() {
        assert_eq!(
            parse_group("  Wobbly ,autism,, ").unwrap(),
            ["Wobbly", "autism"]
        );
        assert!(matches!(parse_group("lonely"), Err(SynonymError::TooFew)));
        assert!(matches!(
            parse_group("autism, Autism"),
            Err(SynonymError::TooFew)
        ));
        assert!(matches!(
            parse_group("respite, one two three four five six"),
            Err(SynonymError::PhraseTooLong)
        ));
        assert!(parse_group("respite, one two three four five").is_ok());
        let long = format!("respite, {}", "a".repeat(MAX_GROUP_CHARS));
        assert!(matches!(parse_group(&long), Err(SynonymError::TooLong)));
    }

    #[test]
    fn groups_are_normalised_and_expanded() {
        let s = Synonyms::from_groups([
            vec!["ASD", "Autism", "autistic spectrum"],
            vec!["respite", "short breaks"],
            vec!["lonely", " "],
            vec!["salt", "speech and language"],
        ]);
        assert_eq!(s.len(), 3, "a group of one term is dropped");
        let salt = s.expansions(&["speech".to_owned(), "language".to_owned()]);
        assert_eq!(
            salt[0].alternatives,
            [vec!["salt".to_owned()]],
            "stop words do not count"
        );
        let e = s.expansions(&["salt".to_owned()]);
        assert_eq!(
            e[0].alternatives,
            [vec![
                "speech".to_owned(),
                "and".to_owned(),
                "language".to_owned()
            ]],
            "phrases keep their stop words"
        );
        assert_eq!(s.to_meili()["salt"], ["speech and language"]);
        let words: Vec<String> = ["short", "breaks", "asd"].map(String::from).to_vec();
        let e = s.expansions(&words);
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].start, e[0].len), (0, 2));
        assert_eq!(e[0].alternatives, [vec!["respite".to_owned()]]);
        assert_eq!((e[1].start, e[1].len), (2, 1));
        assert_eq!(
            e[1].alternatives,
            [
                vec!["autism".to_owned()],
                vec!["autistic".to_owned(), "spectrum".to_owned()]
            ]
        );
        let meili = s.to_meili();
        assert_eq!(meili["short breaks"], ["respite"]);
        assert_eq!(meili["asd"], ["autism", "autistic spectrum"]);
    }
}
