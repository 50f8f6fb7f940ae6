//! The documentation's samples, read exactly as printed.

use std::path::Path;

use cloud_elements::{Instance, InstanceRequest};

const CLOSEIO_RESPONSE: &str = include_str!("fixtures/closeio-response.json");
const PARDOT_RESPONSE: &str = include_str!("fixtures/pardot-response.json");

#[test]
fn closeio_sample_response_parses_exactly() {
    let i = Instance::from_json(CLOSEIO_RESPONSE).unwrap();
    assert_eq!(i.id, 12);
    assert_eq!(i.name.as_deref(), Some("Test"));
    assert_eq!(i.token.expose(), "cuED0/DezalhhzK2OtO6kMP7NvPnMyNcRDZc=");
    let e = &i.element;
    assert_eq!(e.id, Some(146));
    assert_eq!(e.name.as_deref(), Some("Close.io Beta"));
    assert_eq!(e.key.as_deref(), Some("closeio"));
    assert!(e.description.as_deref().unwrap().starts_with("Add a Close.io CRM Instance"));
    assert_eq!(e.image.as_deref(), Some("https://pbs.twimg.com/profile_images/497905627948015616/vNCOkr1Z.png"));
    assert_eq!(
        (e.active, e.deleted, e.type_oauth, e.trial_account, e.transformations_enabled),
        (Some(true), Some(false), Some(false), Some(false), Some(true))
    );
    assert_eq!(e.authentication.as_ref().unwrap().kind.as_deref(), Some("basic"));
    assert_eq!(e.hub.as_deref(), Some("crm"));
    assert_eq!(e.parameters.as_deref(), Some(&[][..]));
    assert_eq!(e.config_description, None);
    assert_eq!(e.signup_url, None);
    assert!(e.extra.is_empty(), "{:?}", e.extra);
    assert_eq!(i.provision_interactions.as_deref(), Some(&[][..]));
    assert_eq!((i.valid, i.disabled), (Some(true), Some(false)));
    assert_eq!((i.max_cache_size, i.cache_time_to_live), (Some(0), Some(0)));
    assert_eq!((i.events_enabled, i.caching_enabled), (Some(false), Some(false)));
    let config: Vec<(&str, &str)> =
        i.configuration.as_ref().unwrap().iter().map(|(k, v)| (k.as_str(), v.expose())).collect();
    assert_eq!(
        config,
        [
            ("base.url", "https://app.close.io/api/v1"),
            ("pagination.max", "100"),
            ("pagination.offset", "true"),
            ("password", "CLOSE_IO_PASSOWRD"),
            ("username", "CLOSE_IO_API_KEY"),
        ]
    );
    assert!(i.extra.is_empty(), "{:?}", i.extra);
    assert_eq!(i.raw_json(), CLOSEIO_RESPONSE);
    assert_eq!(i.raw(), &serde_json::from_str::<serde_json::Value>(CLOSEIO_RESPONSE).unwrap());
}

#[test]
fn pardot_sample_response_parses_exactly_as_printed() {
    // The page's sample is evidently copied from another element: report what it says.
    let i = Instance::from_json(PARDOT_RESPONSE).unwrap();
    assert_eq!(i.id, 1234);
    assert_eq!(i.token.expose(), "mQuw4rrhnrMl1UeDj25v0xDU5TUx6WUw=");
    let e = &i.element;
    assert_eq!(e.id, Some(95));
    assert_eq!(e.name.as_deref(), Some("Pardot Helpdesk"));
    assert_eq!(e.key.as_deref(), Some("autotaskhelpdesk"));
    assert_eq!(e.image.as_deref(), Some("elements/provider_autotask.png"));
    assert_eq!(
        e.config_description.as_deref(),
        Some("If you do not have an Pardot.com account, you can create one at Pardot CRM Signup")
    );
    assert_eq!(e.signup_url.as_deref(), Some("http://www.autotask.com"));
    assert_eq!(e.transformations_enabled, Some(false));
    let auth = e.authentication.as_ref().unwrap();
    assert_eq!((auth.kind.as_deref(), auth.extra.is_empty()), (None, true));
    assert_eq!(e.hub.as_deref(), Some("helpdesk"));
    assert_eq!(e.parameters, None);
    assert_eq!(i.configuration, None);
    assert_eq!(
        (i.valid, i.disabled, i.events_enabled, i.caching_enabled),
        (Some(true), Some(false), Some(false), Some(false))
    );
}

#[test]
fn debug_of_sample_responses_shows_no_token_or_configuration_value() {
    for sample in [CLOSEIO_RESPONSE, PARDOT_RESPONSE] {
        let i = Instance::from_json(sample).unwrap();
        let dbg = format!("{i:?} {i:#?}");
        for secret in ["cuED0/Dez", "mQuw4rrh", "CLOSE_IO_PASSOWRD", "CLOSE_IO_API_KEY"] {
            assert!(!dbg.contains(secret), "{secret} in {dbg}");
        }
        assert!(dbg.contains("[redacted]"));
    }
}

#[test]
fn sample_requests_parse_and_validate() {
    for (sample, key, entries) in [
        (include_str!("fixtures/closeio-instance.json"), "closeio", 2),
        (include_str!("fixtures/pardot-instance.json"), "pardot", 4),
    ] {
        let r = InstanceRequest::from_json(sample).unwrap();
        assert_eq!(r.element_key(), key);
        assert_eq!(r.name(), "<INSERT_INSTANCE_NAME>");
        assert_eq!(r.tags(), ["<INSERT_TAGS>"]);
        assert_eq!(r.configuration().len(), entries);
        r.validate().unwrap();
    }
}

/// The fixtures are the seed pages' code blocks, byte for byte (checked where the pages are at hand).
#[test]
fn fixtures_match_the_seed_pages() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    if !seeds.is_dir() {
        eprintln!("skipping: {} is not here", seeds.display());
        return;
    }
    for name in ["closeio", "pardot"] {
        let page = std::fs::read_to_string(seeds.join(format!("{name}-create-instance.md"))).unwrap();
        let blocks: Vec<&str> = page
            .split("```")
            .skip(1)
            .step_by(2)
            .filter_map(|b| b.strip_prefix("json\n").or_else(|| b.strip_prefix("JSON\n")))
            .collect();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        assert_eq!(blocks[0], std::fs::read_to_string(dir.join(format!("{name}-instance.json"))).unwrap());
        assert_eq!(blocks[1], std::fs::read_to_string(dir.join(format!("{name}-response.json"))).unwrap());
    }
}
