//! Unit tests of the flat API's parts; the calls themselves are tested from C
//! (bindings/c/tests/test_flat.c) and from the legacy languages (bindings/legacy/).

use super::buffer::{Pad, write_text};
use super::cache::{MAX_CLIENTS, cached_client, cached_count, ce_flat_reset};
use super::options::{Settings, parse};
use std::time::Duration;

fn written(len: usize, text: &str, pad: Pad) -> (bool, Vec<u8>) {
    let mut buf = vec![b'#'; len + 2];
    let fits = unsafe { write_text(buf.as_mut_ptr().cast(), len, text, pad) };
    assert_eq!(&buf[len..], b"##", "written past the length");
    buf.truncate(len);
    (fits, buf)
}

#[test]
fn nul_layout_cuts_on_a_character_and_terminates() {
    assert_eq!(written(4, "abc", Pad::Nul), (true, b"abc\0".to_vec()));
    assert_eq!(written(3, "abc", Pad::Nul), (false, b"ab\0".to_vec()));
    assert_eq!(written(3, "aé", Pad::Nul), (false, b"a\0#".to_vec()));
    assert_eq!(written(0, "", Pad::Nul), (false, vec![]));
}

#[test]
fn space_layout_fills_the_buffer_without_a_nul() {
    assert_eq!(written(3, "abc", Pad::Spaces), (true, b"abc".to_vec()));
    assert_eq!(written(5, "ab", Pad::Spaces), (true, b"ab   ".to_vec()));
    assert_eq!(written(2, "abc", Pad::Spaces), (false, b"ab".to_vec()));
    assert_eq!(written(0, "", Pad::Spaces), (true, vec![]));
    assert_eq!(written(0, "a", Pad::Spaces), (false, vec![]));
}

#[test]
fn options_are_checked_and_unknown_keys_named() {
    let options = parse(Some(
        r#"{"retries": 3, "timeout_ms": 5000, "connect_timeout_ms": 700, "idempotency_key": "k-1", "pad": "spaces"}"#,
    ))
    .unwrap();
    assert_eq!(options.settings.retries, Some(3));
    assert_eq!(options.settings.timeout, Some(Duration::from_millis(5000)));
    assert_eq!(options.settings.connect_timeout, Some(Duration::from_millis(700)));
    assert_eq!(options.idempotency_key.as_deref(), Some("k-1"));
    assert_eq!(options.pad, Pad::Spaces);
    assert!(parse(None).is_ok() && parse(Some("  ")).is_ok() && parse(Some("{}")).is_ok());
    let error = parse(Some(r#"{"retry": 1, "padding": "x", "retries": 11, "pad": "tabs"}"#)).unwrap_err();
    for part in ["unknown option keys: retry, padding", "`retries` must be", "`pad` must be"] {
        assert!(error.message.contains(part), "{}", error.message);
    }
    assert!(parse(Some("[1]")).unwrap_err().message.contains("not a JSON object"));
    assert!(parse(Some("{\"timeout_ms\": 0}")).is_err());
}

#[test]
fn the_cache_is_bounded_and_reset_empties_it() {
    let settings = Settings::default();
    for i in 0..MAX_CLIENTS + 3 {
        cached_client("http://127.0.0.1:9/elements/api-v2", &format!("user-{i}"), "org", &settings).unwrap();
    }
    assert_eq!(cached_count(), MAX_CLIENTS);
    cached_client("http://127.0.0.1:9/elements/api-v2", "user-0", "org", &settings).unwrap();
    assert_eq!(cached_count(), MAX_CLIENTS);
    ce_flat_reset();
    assert_eq!(cached_count(), 0);
}
