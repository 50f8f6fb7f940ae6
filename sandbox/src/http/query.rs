//! Percent-decoding of request paths and query strings (`percent-encoding` does the decoding).

use percent_encoding::percent_decode_str;

/// Decodes `%XX` escapes (and `+` as space when `plus_is_space`), lossily as UTF-8. A `%` not
/// followed by two hex digits is kept as it is.
pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> String {
    // `+` becomes a space before decoding, so an escaped plus (`%2B`) stays a plus.
    if plus_is_space && s.contains('+') {
        percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
    } else {
        percent_decode_str(s).decode_utf8_lossy().into_owned()
    }
}

/// Splits a query string into decoded `(key, value)` pairs (form encoding: `+` is a space).
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("tags%5B%5D", true), "tags[]");
        assert_eq!(percent_decode("a+b%20c", true), "a b c");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("a%2Bb+c", true), "a+b c");
        assert_eq!(percent_decode("100%", true), "100%");
        assert_eq!(percent_decode("%zz%4", true), "%zz%4");
        assert_eq!(percent_decode("%C3%A9%FF", false), "\u{e9}\u{fffd}");
        assert_eq!(
            query_pairs("tags%5B%5D=a+b&tags[]=c&hydrate=false&flag"),
            vec![
                ("tags[]".into(), "a b".into()),
                ("tags[]".into(), "c".into()),
                ("hydrate".into(), "false".into()),
                ("flag".into(), "".into())
            ]
        );
    }
}
