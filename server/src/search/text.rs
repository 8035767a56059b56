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

/// Two consecutive words as one term, as [`adjacent_pairs`] makes them.
pub fn pair_term(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

/// Every two consecutive words of `text` (as [`pair_term`]s, each once).
pub fn adjacent_pairs(text: &str) -> std::collections::BTreeSet<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut pairs = std::collections::BTreeSet::new();
    let mut previous: Option<String> = None;
    while stream.advance() {
        let word = stream.token().text.clone();
        if let Some(before) = previous.take() {
            pairs.insert(pair_term(&before, &word));
        }
        previous = Some(word);
    }
    pairs
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

/// Words up to this many characters are compared without allocating.
const STACK_CHARS: usize = 32;

/// Optimal-string-alignment distances (adjacent transpositions count as one edit) from `a` to
/// the whole of `b` and to the closest prefix of `b` whose length is in `prefixes`, each `None`
/// when over `max`. Gives up as soon as every distance is over `max`.
fn align(a: &str, b: &str, max: u8, prefixes: Option<(usize, usize)>) -> (Option<u8>, Option<u8>) {
    let (mut a_buf, mut b_buf) = (['\0'; STACK_CHARS], ['\0'; STACK_CHARS]);
    let mut rows_buf = [0usize; 3 * (STACK_CHARS + 1)];
    let (mut a_heap, mut b_heap, mut rows_heap) = (Vec::new(), Vec::new(), Vec::new());
    let (na, nb) = (a.chars().count(), b.chars().count());
    let a_chars: &[char] = if na <= STACK_CHARS {
        a.chars()
            .zip(a_buf.iter_mut())
            .for_each(|(c, slot)| *slot = c);
        &a_buf[..na]
    } else {
        a_heap.extend(a.chars());
        &a_heap
    };
    let b_chars: &[char] = if nb <= STACK_CHARS {
        b.chars()
            .zip(b_buf.iter_mut())
            .for_each(|(c, slot)| *slot = c);
        &b_buf[..nb]
    } else {
        b_heap.extend(b.chars());
        &b_heap
    };
    let rows: &mut [usize] = if nb <= STACK_CHARS {
        &mut rows_buf[..3 * (nb + 1)]
    } else {
        rows_heap.resize(3 * (nb + 1), 0);
        &mut rows_heap
    };
    align_chars(a_chars, b_chars, usize::from(max), rows, prefixes)
}

fn align_chars(
    a: &[char],
    b: &[char],
    max: usize,
    rows: &mut [usize],
    prefixes: Option<(usize, usize)>,
) -> (Option<u8>, Option<u8>) {
    let width = b.len() + 1;
    if prefixes.is_none() && a.len().abs_diff(b.len()) > max {
        return (None, None);
    }
    let (prev2, rest) = rows.split_at_mut(width);
    let (mut prev, mut cur) = rest.split_at_mut(width);
    let mut prev2: &mut [usize] = prev2;
    for (j, v) in prev.iter_mut().enumerate() {
        *v = j;
    }
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
            return (None, None);
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let within = |d: usize| (d <= max).then(|| u8::try_from(d).unwrap_or(u8::MAX));
    let whole = within(prev[b.len()]);
    let best_prefix = prefixes.and_then(|(lo, hi)| {
        prev.get(lo..=hi.min(b.len()))
            .and_then(|ds| ds.iter().min().copied())
            .and_then(within)
    });
    (whole, best_prefix)
}

/// Edit distance with adjacent transpositions counting as one edit (optimal string alignment),
/// giving up early once it exceeds `max`.
pub fn edit_distance(a: &str, b: &str, max: u8) -> Option<u8> {
    align(a, b, max, None).0
}

/// How `token` (a word of a document) matches the query word `word`, if it does: exactly,
/// within its typo budget, or (when `prefix`) by starting with it or with something within the
/// budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordMatch {
    Exact,
    Typos(u8),
    Prefix,
    PrefixWithTypos,
}

pub fn word_match(word: &str, token: &str, prefix: bool) -> Option<WordMatch> {
    if word == token {
        return Some(WordMatch::Exact);
    }
    let budget = typo_budget(word);
    if budget == 0 {
        return (prefix && token.starts_with(word)).then_some(WordMatch::Prefix);
    }
    let prefixes = prefix.then(|| {
        let len = word.chars().count();
        (
            len.saturating_sub(usize::from(budget)).max(1),
            len + usize::from(budget),
        )
    });
    let (whole, best_prefix) = align(word, token, budget, prefixes);
    match whole {
        Some(0) => Some(WordMatch::Exact),
        Some(d) => Some(WordMatch::Typos(d)),
        None if prefix && token.starts_with(word) => Some(WordMatch::Prefix),
        None => best_prefix.map(|_| WordMatch::PrefixWithTypos),
    }
}

/// Whether `token` (a word of a document) matches the query word `word` (see [`word_match`]).
pub fn word_matches(word: &str, token: &str, prefix: bool) -> bool {
    word_match(word, token, prefix).is_some()
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

    /// From words and how many services use each (an index's vocabulary), with the rules of
    /// [`Suggester::add`]: at least two letters, no stop words.
    pub fn from_counts(words: impl IntoIterator<Item = (String, u32)>) -> Self {
        Self {
            words: words
                .into_iter()
                .filter(|(w, _)| w.chars().count() >= 2 && !is_stop_word(w))
                .collect(),
        }
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
        let long = "a".repeat(40);
        let long_typo = format!("{}b", "a".repeat(39));
        assert_eq!(
            edit_distance(&long, &long_typo, 2),
            Some(1),
            "past the stack buffers"
        );
        assert_eq!(
            edit_distance("café", "cafe", 1),
            Some(1),
            "characters, not bytes"
        );
    }

    #[test]
    fn adjacent_pairs_are_consecutive_words_across_punctuation() {
        let pairs: Vec<String> = adjacent_pairs("Young Carers' group. Evening")
            .into_iter()
            .collect();
        assert_eq!(pairs, ["carers group", "group evening", "young carers"]);
        assert_eq!(pair_term("young", "carers"), "young carers");
    }

    #[test]
    fn word_match_says_how_a_word_matches() {
        assert_eq!(word_match("autism", "autism", true), Some(WordMatch::Exact));
        assert_eq!(
            word_match("autisum", "autism", false),
            Some(WordMatch::Typos(1))
        );
        assert_eq!(
            word_match("toddl", "toddlers", true),
            Some(WordMatch::Prefix)
        );
        assert_eq!(
            word_match("todle", "toddlers", true),
            Some(WordMatch::PrefixWithTypos)
        );
        assert_eq!(word_match("todle", "toddlers", false), None);
        assert_eq!(
            word_match("swim", "swimming", true),
            Some(WordMatch::Prefix)
        );
        assert_eq!(word_match("swim", "swimming", false), None);
        assert_eq!(word_match("zzzzz", "toddlers", true), None);
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
