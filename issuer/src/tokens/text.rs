//! What names, descriptions and subjects may contain. They are shown to people (the page, the
//! CLI, audit logs) and stored as text, so they carry no control characters (C0 and C1,
//! NUL included; descriptions may have line breaks and tabs), no bidirectional overrides or
//! isolates (which make text read differently from what it is, U+202A–U+202E, U+2066–U+2069),
//! and are not blank: whitespace and zero-width characters alone do not make a name.

/// [`problem`]'s rules for a name or a subject as a JSON Schema `pattern` (for the OpenAPI
/// document): no control, bidi override or isolate characters, and at least one character that
/// is neither whitespace nor zero-width. A test holds it to [`problem`] character by character.
pub const ONE_LINE_PATTERN: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u00AD\\u1680\\u180E\\u2000-\\u200D\\u2028-\\u202F\\u205F\\u2060\\u2066-\\u2069\\u3000\\uFEFF][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$";

/// [`problem`]'s rules for a description as a JSON Schema `pattern`: line breaks and tabs are
/// allowed, other control characters and bidi overrides or isolates are not; it may be blank.
pub const DESCRIPTION_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$";

/// Which rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A token name: one line.
    Name,
    /// A description: line breaks and tabs allowed.
    Description,
    /// A subject (user id) or another identifier: one line.
    Subject,
}

/// Characters that take no space (a name made of them looks empty).
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}'
                | '\u{200C}'
                | '\u{200D}'
                | '\u{2060}'
                | '\u{FEFF}'
                | '\u{180E}'
                | '\u{00AD}'
        )
}

/// Bidirectional embeddings, overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Why `value` is not acceptable as `kind`, or `None` when it is. Length limits are the
/// caller's (they differ per field).
pub fn problem(value: &str, kind: TextKind) -> Option<String> {
    for c in value.chars() {
        let allowed_break = kind == TextKind::Description && matches!(c, '\n' | '\r' | '\t');
        if c.is_control() && !allowed_break {
            return Some(format!(
                "must not contain control characters (found U+{:04X})",
                u32::from(c)
            ));
        }
        if is_bidi_control(c) {
            return Some(format!(
                "must not contain bidirectional override or isolate characters (found U+{:04X})",
                u32::from(c)
            ));
        }
    }
    if kind != TextKind::Description && !value.is_empty() && value.chars().all(is_invisible) {
        return Some("must contain visible characters".into());
    }
    None
}

/// Why `value` is not acceptable as a subject (a user id): 1 to 200 characters of plain text,
/// not blank; `None` when it is.
pub fn subject_problem(value: &str) -> Option<String> {
    if value.is_empty() || value.chars().count() > 200 {
        return Some("must be 1 to 200 characters".into());
    }
    problem(value, TextKind::Subject)
}

/// `value` as it may be echoed in an error message: its first 100 characters, without control
/// characters (a client's input must not break the lines of a log or a terminal).
pub fn shown(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect()
}

/// True for a string that may be used as an identifier in a query: what [`problem`] accepts as
/// a subject, at most `max` bytes. Anything else cannot name a stored row.
pub fn is_plausible_id(value: &str, max: usize) -> bool {
    !value.is_empty() && value.len() <= max && problem(value, TextKind::Subject).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_bidi_and_blank_names_are_refused() {
        for bad in [
            "a\0b",
            "a\u{7}",
            "a\u{85}b",
            "tab\there",
            "line\nbreak",
            "\u{202E}gnp.exe",
            "x\u{2066}y",
            "\u{200B}\u{200B}",
            " \u{FEFF} ",
        ] {
            assert!(problem(bad, TextKind::Name).is_some(), "{bad:?}");
        }
        for good in ["CI deploy", "Grüße 🚀", "a\u{200B}b", "עברית"] {
            assert_eq!(problem(good, TextKind::Name), None, "{good:?}");
        }
    }

    #[test]
    fn subjects_are_one_to_200_characters_of_plain_text() {
        assert_eq!(subject_problem("user_42"), None);
        assert_eq!(subject_problem(&"u".repeat(200)), None);
        assert_eq!(subject_problem(&"ü".repeat(200)), None);
        assert!(subject_problem("   ").is_some_and(|p| p.contains("visible")));
        for bad in ["", &"u".repeat(201)] {
            assert_eq!(
                subject_problem(bad).as_deref(),
                Some("must be 1 to 200 characters"),
                "{bad:?}"
            );
        }
        assert!(subject_problem("u\nv").is_some_and(|p| p.contains("control")));
    }

    /// The document's patterns say what `problem` says, for every character of the Basic
    /// Multilingual Plane alone and after a visible one, and for one beyond it.
    #[test]
    fn the_document_patterns_are_the_rules() {
        let one_line = regex::Regex::new(ONE_LINE_PATTERN).unwrap();
        let description = regex::Regex::new(DESCRIPTION_PATTERN).unwrap();
        let chars = (0u32..=0xFFFF).chain([0x1F680]).filter_map(char::from_u32);
        for c in chars {
            for text in [c.to_string(), format!("a{c}"), format!("{c}a")] {
                for kind in [TextKind::Name, TextKind::Subject] {
                    assert_eq!(
                        one_line.is_match(&text),
                        problem(&text, kind).is_none(),
                        "{kind:?} {text:?}"
                    );
                }
                assert_eq!(
                    description.is_match(&text),
                    problem(&text, TextKind::Description).is_none(),
                    "description {text:?}"
                );
            }
        }
    }

    #[test]
    fn echoed_input_loses_control_characters_and_length() {
        assert_eq!(shown("tok_\u{1b}[31mX\n"), "tok_[31mX");
        assert_eq!(shown(&"é".repeat(150)).chars().count(), 100);
    }

    #[test]
    fn descriptions_may_have_line_breaks_but_nothing_else() {
        assert_eq!(
            problem("first\nsecond\r\n\tthird", TextKind::Description),
            None
        );
        assert!(problem("a\0", TextKind::Description).is_some());
        assert!(problem("a\u{1b}[31m", TextKind::Description).is_some());
        assert!(problem("\u{202D}", TextKind::Description).is_some());
    }

    #[test]
    fn identifiers() {
        assert!(is_plausible_id("user_42", 200));
        assert!(!is_plausible_id("", 200));
        assert!(!is_plausible_id("nul\0", 200));
        assert!(!is_plausible_id(&"x".repeat(201), 200));
    }
}
