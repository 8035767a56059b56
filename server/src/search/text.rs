//! Text rules shared by both engines and by the facade: how text splits into words, which words
//! are ignored, how many typos a word may have, which words of a result to highlight, and the
//! vocabulary behind "did you mean".

use super::query::QueryText;
use super::synonyms::Synonyms;
use std::collections::HashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, TextAnalyzer, Token as TantivyToken, TokenStream, Tokenizer,
};

/// Words too common to search on (also given to Meilisearch as its stop words).
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "for", "from", "i", "in", "into",
    "is", "it", "me", "my", "near", "of", "on", "or", "our", "the", "their", "to", "us", "we",
    "with", "you", "your",
];

pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// Splits text into words: runs of letters and digits, where an apostrophe between two of them
/// stays inside the word and is dropped ("carer's" is one word, "carers").
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: TantivyToken,
}

pub struct WordStream<'a> {
    text: &'a str,
    at: usize,
    token: &'a mut TantivyToken,
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            at: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        let rest = &self.text[self.at..];
        let Some((start, _)) = rest.char_indices().find(|(_, c)| c.is_alphanumeric()) else {
            self.at = self.text.len();
            return false;
        };
        let from = self.at + start;
        let mut end = from;
        let mut chars = self.text[from..].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c.is_alphanumeric() {
                self.token.text.push(c);
                end = from + i + c.len_utf8();
            } else if is_apostrophe(c)
                && chars.peek().is_some_and(|(_, next)| next.is_alphanumeric())
            {
                // "carer's": the apostrophe is skipped, the word goes on.
            } else {
                break;
            }
        }
        self.token.offset_from = from;
        self.token.offset_to = end;
        self.at = end;
        true
    }

    fn token(&self) -> &TantivyToken {
        self.token
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        self.token
    }
}

/// The analyzer of the embedded index, used here too so that highlighting and suggestions split
/// text exactly as the index does: words (see [`WordTokenizer`]), lower-cased, accents folded.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// A word of a text and where it is (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

pub fn tokenize(text: &str) -> Vec<Token> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        let t = stream.token();
        tokens.push(Token {
            text: t.text.clone(),
            from: t.offset_from,
            to: t.offset_to,
        });
    }
    tokens
}

/// Typos a word may have and still match: none under 5 letters, one from 5, two from 9 (the
/// same thresholds as Meilisearch's defaults, which the Meilisearch adapter sets explicitly).
pub fn typo_budget(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Edit distance with adjacent transpositions counting as one edit (optimal string alignment),
/// giving up early once it exceeds `max`.
pub fn edit_distance(a: &str, b: &str, max: u8) -> Option<u8> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let max = usize::from(max);
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut prev2 = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then(|| u8::try_from(d).unwrap_or(u8::MAX))
}

/// Whether `token` (a word of a document) matches the query word `word`: exactly, within its
/// typo budget, or (when `prefix`) by starting with it or with something within the budget.
pub fn word_matches(word: &str, token: &str, prefix: bool) -> bool {
    if word == token {
        return true;
    }
    let budget = typo_budget(word);
    if budget > 0 && edit_distance(word, token, budget).is_some() {
        return true;
    }
    if prefix {
        if token.starts_with(word) {
            return true;
        }
        if budget > 0 {
            let len = word.chars().count();
            let chars: Vec<char> = token.chars().collect();
            let lo = len.saturating_sub(usize::from(budget)).max(1);
            let hi = (len + usize::from(budget)).min(chars.len());
            return (lo..=hi).any(|n| {
                let head: String = chars[..n].iter().collect();
                edit_distance(word, &head, budget).is_some()
            });
        }
    }
    false
}

/// A stretch of a result's text, highlighted when it matched the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub highlighted: bool,
}

/// The words to highlight for a query: its words (the last one as a prefix while being typed)
/// and every word of their synonyms.
#[derive(Debug, Clone, Default)]
pub struct HighlightTerms {
    terms: Vec<(String, bool)>,
}

impl HighlightTerms {
    pub fn new(query: &QueryText, synonyms: &Synonyms) -> Self {
        let words = query.words();
        let mut terms: Vec<(String, bool)> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), query.last_is_prefix() && i + 1 == words.len()))
            .collect();
        for expansion in synonyms.expansions(words) {
            for alternative in expansion.alternatives {
                for word in alternative {
                    if !is_stop_word(&word) && !terms.iter().any(|(t, _)| *t == word) {
                        terms.push((word, false));
                    }
                }
            }
        }
        Self { terms }
    }

    pub fn highlight(&self, text: &str) -> Vec<Segment> {
        let mut segments: Vec<Segment> = Vec::new();
        let mut push = |piece: &str, highlighted: bool| {
            if piece.is_empty() {
                return;
            }
            match segments.last_mut() {
                Some(last) if last.highlighted == highlighted => last.text.push_str(piece),
                _ => segments.push(Segment {
                    text: piece.to_owned(),
                    highlighted,
                }),
            }
        };
        let mut at = 0;
        for token in tokenize(text) {
            let hit = !is_stop_word(&token.text)
                && self
                    .terms
                    .iter()
                    .any(|(term, prefix)| word_matches(term, &token.text, *prefix));
            if hit {
                push(&text[at..token.from], false);
                push(&text[token.from..token.to], true);
                at = token.to;
            }
        }
        push(&text[at..], false);
        segments
    }
}

/// The directory's vocabulary (word → how many services use it), for "did you mean".
#[derive(Debug, Clone, Default)]
pub struct Suggester {
    words: HashMap<String, u32>,
}

impl Suggester {
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut s = Self::default();
        for text in texts {
            s.add(text);
        }
        s
    }

    /// Adds the words of one service's text.
    pub fn add(&mut self, text: &str) {
        let mut seen: Vec<String> = Vec::new();
        for token in tokenize(text) {
            if token.text.chars().count() >= 2
                && !is_stop_word(&token.text)
                && !seen.contains(&token.text)
            {
                seen.push(token.text);
            }
        }
        for word in seen {
            *self.words.entry(word).or_default() += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The query with each unknown word replaced by the closest known word (at most two edits;
    /// one for words of four letters or fewer; the most used word wins a tie), or `None` when
    /// nothing would change.
    pub fn correct(&self, words: &[String]) -> Option<String> {
        let mut changed = false;
        let corrected: Vec<String> = words
            .iter()
            .map(|word| {
                if self.words.contains_key(word) || word.chars().count() < 3 {
                    return word.clone();
                }
                let max = if word.chars().count() <= 4 { 1 } else { 2 };
                let best = self
                    .words
                    .iter()
                    .filter_map(|(candidate, uses)| {
                        edit_distance(word, candidate, max).map(|d| (d, *uses, candidate))
                    })
                    .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
                match best {
                    Some((_, _, candidate)) => {
                        changed = true;
                        candidate.clone()
                    }
                    None => word.clone(),
                }
            })
            .collect();
        changed.then(|| corrected.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lower_case_and_folded() {
        let words: Vec<String> = tokenize("Café-Club: Under-5s & ADHD")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(words, ["cafe", "club", "under", "5s", "adhd"]);
    }

    #[test]
    fn typo_budget_follows_word_length() {
        assert_eq!(typo_budget("adhd"), 0);
        assert_eq!(typo_budget("autism"), 1);
        assert_eq!(typo_budget("bereavement"), 2);
    }

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("autism", "autism", 2), Some(0));
        assert_eq!(edit_distance("autisum", "autism", 2), Some(1));
        assert_eq!(edit_distance("autsim", "autism", 2), Some(1));
        assert_eq!(edit_distance("swiming", "swimming", 1), Some(1));
        assert_eq!(edit_distance("cat", "dog", 2), None);
        assert_eq!(edit_distance("a", "abcd", 2), None);
    }

    #[test]
    fn words_match_with_typos_and_prefixes() {
        assert!(word_matches("autisum", "autism", false));
        assert!(
            !word_matches("adhf", "adhd", false),
            "short words allow no typo"
        );
        assert!(word_matches("swim", "swimming", true));
        assert!(!word_matches("swim", "swimming", false));
        assert!(word_matches("toddl", "toddlers", true));
        assert!(
            word_matches("todle", "toddlers", true),
            "a prefix within one typo"
        );
    }

    #[test]
    fn highlighting_marks_matching_words_and_synonyms() {
        let synonyms = Synonyms::from_groups([vec!["asd", "autism", "autistic"]]);
        let q = QueryText::parse("asd group ").unwrap();
        let terms = HighlightTerms::new(&q, &synonyms);
        let segments = terms.highlight("A group for autistic teens and <b>autism</b> parents");
        let marked: Vec<&str> = segments
            .iter()
            .filter(|s| s.highlighted)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(marked, ["group", "autistic", "autism"]);
        let whole: String = segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            whole,
            "A group for autistic teens and <b>autism</b> parents"
        );
    }

    #[test]
    fn suggestions_pick_the_closest_common_word() {
        let s = Suggester::from_texts([
            "ADHD support group",
            "ADHD parent coffee morning",
            "Autism support",
            "Swimming lessons",
        ]);
        let words = |q: &str| QueryText::parse(q).unwrap().words().to_vec();
        assert_eq!(
            s.correct(&words("adhf group")),
            Some("adhd group".to_owned())
        );
        assert_eq!(s.correct(&words("swimmmminng")), None, "too far");
        assert_eq!(s.correct(&words("suport")), Some("support".to_owned()));
        assert_eq!(s.correct(&words("sporrt")), None, "three edits away");
        assert_eq!(
            s.correct(&words("autism support")),
            None,
            "nothing to correct"
        );
    }
}
