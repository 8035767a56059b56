//! A readability score for the forms' own words: the Flesch–Kincaid grade level, with syllables
//! counted by the usual English vowel-group rule. A UK reading age is about the US grade + 5.
//! Used by the young carer form's tests to keep its questions at a reading age of about 9.

/// Syllables in one word: groups of vowels (y counts), less a silent final "e", at least one.
pub fn syllables(word: &str) -> usize {
    let w: Vec<char> = word
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if w.is_empty() {
        return 0;
    }
    let vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut count = 0;
    let mut previous = false;
    for &c in &w {
        let v = vowel(c);
        if v && !previous {
            count += 1;
        }
        previous = v;
    }
    let n = w.len();
    if n > 2 && w[n - 1] == 'e' && w[n - 2] != 'l' && !vowel(w[n - 2]) {
        count -= 1;
    }
    count.max(1)
}

/// Sentences, words and syllables in `text` (every "." "!" "?" or line ends a sentence; a
/// fragment without one counts as a sentence).
pub fn counts(text: &str) -> (usize, usize, usize) {
    let mut sentences = 0;
    let mut words = 0;
    let mut syllable_count = 0;
    for piece in text.split(['.', '!', '?', '\n']) {
        let piece_words: Vec<&str> = piece
            .split_whitespace()
            .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
            .collect();
        if piece_words.is_empty() {
            continue;
        }
        sentences += 1;
        words += piece_words.len();
        syllable_count += piece_words.iter().map(|w| syllables(w)).sum::<usize>();
    }
    (sentences, words, syllable_count)
}

/// The Flesch–Kincaid grade level of `text` (0 for no words).
pub fn grade(text: &str) -> f64 {
    let (sentences, words, syllable_count) = counts(text);
    if words == 0 {
        return 0.0;
    }
    let (s, w, y) = (sentences as f64, words as f64, syllable_count as f64);
    0.39 * (w / s) + 11.8 * (y / w) - 15.59
}

/// The UK reading age for `text`: grade + 5.
pub fn reading_age(text: &str) -> f64 {
    grade(text) + 5.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_follow_vowel_groups() {
        assert_eq!(syllables("cat"), 1);
        assert_eq!(syllables("make"), 1);
        assert_eq!(syllables("little"), 2);
        assert_eq!(syllables("happy"), 2);
        assert_eq!(syllables("assessment"), 3);
        assert_eq!(syllables("responsibilities"), 6);
    }

    #[test]
    fn hard_text_scores_older_than_easy_text() {
        let easy = "I help my mum. I make tea. I like school.";
        let hard = "The Care Act 2014 establishes a statutory entitlement to an assessment of the carer's necessities, irrespective of eligibility determinations.";
        assert!(reading_age(easy) < 7.0, "{}", reading_age(easy));
        assert!(reading_age(hard) > 18.0, "{}", reading_age(hard));
    }
}
