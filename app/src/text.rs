//! Small text helpers shared by the browser and the server.

/// `text` with its first letter in capitals ("signpost" → "Signpost").
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::capitalise;

    #[test]
    fn capitalises_the_first_letter_only() {
        assert_eq!(capitalise("every week"), "Every week");
        assert_eq!(capitalise("éte"), "Éte");
        assert_eq!(capitalise(""), "");
        assert_eq!(capitalise("already Capital"), "Already Capital");
    }
}
