//! Keeping secrets out of error text: the [`Redactor`], and the helpers that blank values a
//! client cannot know in advance (instance tokens in a body, values quoted by serde).

use std::cell::OnceCell;

/// How much of an undecodable body an error message quotes.
const SNIPPET_CHARS: usize = 200;

/// The start of `text`, at most [`SNIPPET_CHARS`] characters, for messages.
pub(crate) fn snippet(text: &str) -> String {
    match text.char_indices().nth(SNIPPET_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Secrets shorter than this are not searched for in text: replacing every `a` or `u` in a
/// message would garble it, and real secrets, tokens and passwords are longer.
pub(crate) const MIN_REDACTED_LEN: usize = 4;

/// Hides known secrets in text that came from elsewhere (the server, the HTTP library).
///
/// Servers echo configuration values (the Close.io sample echoes the password), sometimes inside
/// JSON strings where `"` is `\"`, `/` may be `\/` and non-ASCII is `\uXXXX`; every such form is
/// searched for, longest first, so that one secret inside another leaves no tail behind.
///
/// It only borrows the secrets: the search forms are worked out the first time it is applied,
/// so a call that succeeds pays nothing for it.
#[derive(Default)]
pub(crate) struct Redactor<'a> {
    secrets: Vec<&'a str>,
    needles: OnceCell<Vec<String>>,
}

impl<'a> Redactor<'a> {
    pub(crate) fn new(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        Redactor { secrets: secrets.into_iter().collect(), needles: OnceCell::new() }
    }

    /// Every form of every secret, longest first.
    fn needles(&self) -> &[String] {
        self.needles.get_or_init(|| {
            let mut needles = Vec::new();
            for secret in self.secrets.iter().filter(|s| s.chars().count() >= MIN_REDACTED_LEN) {
                // As JSON writes it inside a string: `"` and `\` escaped, non-ASCII as is or as \uXXXX.
                let json = serde_json::to_string(secret).unwrap_or_default();
                let json = json.get(1..json.len().saturating_sub(1)).unwrap_or_default().to_owned();
                let escaped = |upper: bool| -> String {
                    json.encode_utf16()
                        .map(|u| match (u < 0x80, upper) {
                            (true, _) => char::from(u as u8).to_string(),
                            (false, false) => format!("\\u{u:04x}"),
                            (false, true) => format!("\\u{u:04X}"),
                        })
                        .collect()
                };
                for form in [(*secret).to_owned(), json.clone(), escaped(false), escaped(true)] {
                    needles.push(form.replace('/', "\\/"));
                    needles.push(form);
                }
            }
            needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
            needles.dedup();
            needles
        })
    }

    /// `text` with every occurrence of every secret replaced by `[redacted]`.
    ///
    /// JSON may write any character as `\uXXXX` (.NET's serializer writes `+` as `\u002B`), so
    /// such escapes are first written as the characters they stand for.
    pub(crate) fn apply(&self, text: &str) -> String {
        if self.needles().is_empty() {
            return text.to_owned();
        }
        let mut out = unescape_json(text).into_owned();
        for needle in self.needles() {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), "[redacted]");
            }
        }
        out
    }
}

/// `text` with the JSON escapes `\uXXXX` and `\/` replaced by the characters they stand for,
/// except where JSON needs an escape (`\"`, `\\`, control characters), so that the result means
/// the same JSON and every secret in it is spelled one way. Text that is not JSON passes through
/// with at most such sequences rewritten.
pub(crate) fn unescape_json(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\\') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let escape = &rest[at + 1..];
        match escape.chars().next() {
            Some('u') => match decode_unicode_escape(escape) {
                Some(('"', used)) => {
                    out.push_str("\\\"");
                    rest = &escape[used..];
                }
                Some(('\\', used)) => {
                    out.push_str("\\\\");
                    rest = &escape[used..];
                }
                Some((c, used)) if !c.is_control() => {
                    out.push(c);
                    rest = &escape[used..];
                }
                _ => {
                    out.push_str("\\u");
                    rest = &escape[1..];
                }
            },
            Some('/') => {
                out.push('/');
                rest = &escape[1..];
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
                rest = &escape[other.len_utf8()..];
            }
            None => {
                out.push('\\');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The character of `uXXXX` (or of a surrogate pair `uD83D\uDE00`) at the start of `escape`, and
/// how many bytes it took.
fn decode_unicode_escape(escape: &str) -> Option<(char, usize)> {
    let unit = |at: usize| escape.get(at..at + 4).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    let high = u32::from_str_radix(unit(1)?, 16).ok()?;
    if (0xD800..0xDC00).contains(&high) {
        let low = escape.get(5..7).filter(|s| *s == "\\u").and_then(|_| unit(7));
        let low = u32::from_str_radix(low?, 16).ok().filter(|low| (0xDC00..0xE000).contains(low))?;
        return char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)).map(|c| (c, 11));
    }
    char::from_u32(high).map(|c| (c, 5))
}

/// `text` (a JSON document, possibly malformed or cut short) with the string value of every
/// `"token"` member replaced by `[redacted]`: a token the server issued must not reach an error
/// message even when the rest of its answer could not be decoded.
pub(crate) fn without_token_values(text: &str) -> String {
    const KEY: &str = "\"token\"";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let (before, after_key) = rest.split_at(at + KEY.len());
        out.push_str(before);
        let value = after_key.trim_start();
        let Some(value) = value.strip_prefix(':').map(str::trim_start) else {
            rest = after_key;
            continue;
        };
        let Some(inside) = value.strip_prefix('"') else {
            rest = after_key;
            continue;
        };
        out.push_str(&after_key[..after_key.len() - value.len()]);
        out.push_str("\"[redacted]");
        // Skip to the closing quote (or the end of a cut-short body), honouring escapes.
        let mut escaped = false;
        let end = inside
            .char_indices()
            .find(|&(_, c)| {
                let closes = !escaped && c == '"';
                escaped = !escaped && c == '\\';
                closes
            })
            .map_or(inside.len(), |(i, _)| i);
        rest = &inside[end..];
    }
    out.push_str(rest);
    out
}

/// A message from serde with every quoted value replaced by `"…"`: serde quotes the values it
/// could not use (`invalid type: string "hunter2", expected a boolean`), and names fields in
/// backticks, which are kept.
pub(crate) fn without_quoted_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        if c == '"' {
            if inside {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_cuts_on_a_char_boundary() {
        let long = "é".repeat(500);
        let s = snippet(&long);
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(snippet("short"), "short");
    }

    #[test]
    fn redact_replaces_every_occurrence_and_every_escaped_form() {
        let r = Redactor::new(["hunter2", "", "u"]);
        assert_eq!(r.apply("pw=hunter2, again hunter2, u"), "pw=[redacted], again [redacted], u");
        let r = Redactor::new(["pa\"ss/wörd", "usersecret1", "usersecret1-tail"]);
        for text in [
            r#"bad pa\"ss/wörd"#,
            r#"bad pa\"ss\/wörd"#,
            r#"bad pa\"ss/w\u00f6rd"#,
            r#"bad pa\"ss\/w\u00F6rd"#,
            "bad pa\"ss/wörd",
        ] {
            assert_eq!(r.apply(text), "bad [redacted]", "{text}");
        }
        assert_eq!(r.apply("usersecret1-tail and usersecret1"), "[redacted] and [redacted]");
    }

    #[test]
    fn secrets_spelled_with_any_unicode_escape_are_found() {
        let r = Redactor::new(["PW+SECRET/é😀\"q"]);
        for text in [
            r#"bad PW\u002BSECRET/é😀\"q"#,
            r#"bad \u0050\u0057\u002bSECRET\/\u00e9\ud83d\ude00\u0022q"#,
            r#"bad PW+SECRET\/\u00E9\uD83D\uDE00\"q"#,
        ] {
            assert_eq!(r.apply(text), "bad [redacted]", "{text}");
        }
        // Escapes JSON needs stay; an escaped backslash is not the start of an escape.
        let r = Redactor::new(["nothing-here"]);
        assert_eq!(r.apply(r#"a\u000a b\\u0041 c\u12 d\"#), r#"a\u000a b\\u0041 c\u12 d\"#);
        assert_eq!(r.apply(r#"lone \ud800 and \udc00"#), r#"lone \ud800 and \udc00"#);
        assert_eq!(r.apply(r#"\u0041\/"#), "A/");
    }

    #[test]
    fn token_values_are_blanked_in_quoted_bodies() {
        assert_eq!(
            without_token_values(r#"{"id": 7, "token" : "tok-VERY\"SECRET=", "name": "x",}"#),
            r#"{"id": 7, "token" : "[redacted]", "name": "x",}"#
        );
        assert_eq!(without_token_values(r#"{"token":"cut-sho"#), r#"{"token":"[redacted]"#);
        assert_eq!(without_token_values(r#"{"token": 5, "a": "token"}"#), r#"{"token": 5, "a": "token"}"#);
        assert_eq!(without_token_values("no json"), "no json");
        let err = crate::Error::decode(200, "r", r#"[{"tok\u0065n":"tok-SECRET"}]"#, &Redactor::default());
        assert!(!err.to_string().contains("tok-SECRET"), "{err}");
    }

    #[test]
    fn serde_messages_lose_their_quoted_values() {
        assert_eq!(
            without_quoted_values(r#"invalid type: string "hunter2", expected a boolean"#),
            r#"invalid type: string "…", expected a boolean"#
        );
        assert_eq!(without_quoted_values("missing field `id`"), "missing field `id`");
    }
}
