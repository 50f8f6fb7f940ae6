//! Retries of the idempotent lifecycle calls (GET, DELETE, PATCH, the enable/disable PUT and
//! DELETE), faults injected by the sandbox over loopback: a reset or a busy answer is sent again
//! and succeeds; an overall timeout is not; what a lost answer may have done is reported. The
//! create's own, stricter rule is in tests/faults.rs.

use std::time::{Duration, Instant};

use cloud_elements::{
    Client, Effect, ErrorKind, Instance, InstanceFilter, InstanceRequest, InstanceUpdate, TimeoutKind,
};
use cloud_elements_sandbox::{Fault, FaultKind, Sandbox};

fn client(sb: &Sandbox, timeout: Duration) -> Client {
    Client::builder()
        .base_url(sb.url())
        .user_secret(sb.user_secret())
        .organization_secret(sb.organization_secret())
        .timeout(timeout)
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .build()
        .unwrap()
}

fn status(status: u16) -> FaultKind {
    FaultKind::Status { status, message: None, provider_message: None, retry_after: None }
}

fn create(c: &Client, tag: &str) -> Instance {
    let request = InstanceRequest::new("closeio", "Sales").config("username", "KEY").config("password", "PW").tag(tag);
    c.create_instance(&request).unwrap()
}

/// Runs `call` with `fault` injected on the next `method` request, and checks it succeeded on the
/// second attempt.
fn retried<T>(
    sb: &Sandbox,
    method: &str,
    fault: FaultKind,
    call: impl FnOnce() -> Result<T, cloud_elements::Error>,
) -> T {
    let before = sb.request_count();
    sb.inject(Fault::new(fault.clone()).method(method));
    let done = call().unwrap_or_else(|e| panic!("{method} after {fault:?}: {e:?}"));
    assert_eq!(sb.request_count() - before, 2, "{method} after {fault:?}: one retry");
    done
}

#[test]
fn a_reset_or_a_busy_answer_on_a_get_is_retried() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, Duration::from_secs(10));
    let instance = create(&c, "t");
    for fault in [FaultKind::Reset, status(503), status(500), status(502), status(504), status(429)] {
        let read = retried(&sb, "GET", fault.clone(), || c.get_instance(instance.id));
        assert_eq!(read.id, instance.id);
    }
    let listed = retried(&sb, "GET", FaultKind::Reset, || c.list_instances(&InstanceFilter::new().tag("t")));
    assert_eq!(listed.len(), 1);
    retried(&sb, "GET", status(503), || c.instance_configuration(instance.id));
    retried(&sb, "GET", FaultKind::Reset, || c.ping(instance.token.expose(), "crm"));
}

#[test]
fn a_reset_or_a_503_on_a_delete_is_retried() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, Duration::from_secs(10));
    for fault in [FaultKind::Reset, status(503)] {
        let instance = create(&c, "t");
        retried(&sb, "DELETE", fault, || c.delete_instance(instance.id));
        assert!(sb.instances().is_empty());
    }
    // The first DELETE did its work and its answer was lost: the retry's 404 means it is done.
    let instance = create(&c, "t");
    retried(&sb, "DELETE", FaultKind::CreateThenReset, || c.delete_instance(instance.id));
    assert!(sb.instances().is_empty());
    // Without a lost answer before it, a 404 is an error.
    assert_eq!(c.delete_instance(instance.id).unwrap_err().kind(), ErrorKind::NotFound);
}

#[test]
fn a_reset_or_a_503_on_a_patch_is_retried() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, Duration::from_secs(10));
    let instance = create(&c, "t");
    for (fault, name) in [(FaultKind::Reset, "after reset"), (status(503), "after 503"), (status(502), "after 502")] {
        let updated =
            retried(&sb, "PATCH", fault, || c.update_instance(instance.id, &InstanceUpdate::new().name(name)));
        assert_eq!(updated.name.as_deref(), Some(name));
    }
    // The entry's id is looked up first (one GET), then the PATCH is reset and sent again.
    let before = sb.request_count();
    sb.inject(Fault::new(FaultKind::Reset).method("PATCH"));
    let entry = c.update_instance_configuration(instance.id, "password", "NEW-PW").unwrap();
    assert_eq!(entry.key, "password");
    assert_eq!(sb.request_count() - before, 3);
    assert_eq!(sb.instances()[0]["configuration"]["password"], "NEW-PW");
}

#[test]
fn a_patch_carrying_an_oauth_code_is_not_resent_after_a_lost_answer() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, Duration::from_secs(10));
    let instance = create(&c, "t");
    let update = InstanceUpdate::new().oauth_code("single-use-c0de");
    // A reset may come after the server spent the code: not sent again, and said so.
    for fault in [FaultKind::Reset, status(502)] {
        let before = sb.request_count();
        sb.inject(Fault::new(fault.clone()).method("PATCH"));
        let err = c.update_instance(instance.id, &update).unwrap_err();
        assert!(err.outcome_unknown() && err.effect() == Effect::MayHaveTakenEffect, "{fault:?}: {err:?}");
        assert!(!format!("{err:?}{err}").contains("single-use-c0de"), "{err:?}");
        assert_eq!(sb.request_count() - before, 1, "{fault:?}: not resent");
        sb.clear_faults();
    }
    // A 503 says the server did nothing: sent again.
    let before = sb.request_count();
    sb.inject(Fault::new(status(503)).method("PATCH"));
    let _ = c.update_instance(instance.id, &update);
    assert_eq!(sb.request_count() - before, 2, "after a 503: one retry");
}

#[test]
fn enable_and_disable_are_retried() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, Duration::from_secs(10));
    let token = create(&c, "t").token;
    retried(&sb, "DELETE", FaultKind::Reset, || c.disable_instance(token.expose()));
    assert_eq!(sb.instances()[0]["disabled"], true);
    retried(&sb, "PUT", status(503), || c.enable_instance(token.expose()));
    assert_eq!(sb.instances()[0]["disabled"], false);
}

#[test]
fn retries_stop_at_the_limit_and_say_what_may_have_happened() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, Duration::from_secs(10));
    let instance = create(&c, "t");

    // A read that keeps failing: the first attempt and two retries, nothing may have happened.
    let before = sb.request_count();
    sb.inject(Fault::new(status(500)).times(5).method("GET"));
    let err = c.get_instance(instance.id).unwrap_err();
    assert_eq!((err.status(), err.outcome_unknown()), (Some(500), false));
    assert_eq!(sb.request_count() - before, 3);
    sb.clear_faults();

    // A change whose answers keep being lost: it may have taken effect, and says so.
    sb.inject(Fault::new(status(502)).times(5).method("PATCH"));
    let err = c.update_instance(instance.id, &InstanceUpdate::new().name("x")).unwrap_err();
    assert!(err.outcome_unknown() && err.effect() == Effect::MayHaveTakenEffect, "{err:?}");
    assert!(err.to_string().ends_with("; the request may have taken effect"), "{err}");
    sb.clear_faults();

    // Refusals are not retried.
    let before = sb.request_count();
    sb.inject(Fault::new(status(400)).method("DELETE"));
    assert_eq!(c.delete_instance(instance.id).unwrap_err().status(), Some(400));
    assert_eq!(sb.request_count() - before, 1);
}

#[test]
fn the_overall_timeout_bounds_the_whole_call_and_is_not_retried() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, Duration::from_millis(500));
    let instance = create(&c, "t");
    let before = sb.request_count();
    sb.inject(Fault::new(FaultKind::Delay { ms: 2000 }).method("GET"));
    let started = Instant::now();
    let err = c.get_instance(instance.id).unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1500), "{:?}", started.elapsed());
    assert!(matches!(err, cloud_elements::Error::Timeout { kind: TimeoutKind::Overall, .. }), "{err:?}");
    assert!(!err.outcome_unknown(), "a read changes nothing");
    assert!(!err.to_string().contains("may have"), "{err}");
    assert_eq!(sb.request_count() - before, 1);

    sb.inject(Fault::new(FaultKind::Delay { ms: 2000 }).method("DELETE"));
    let err = c.delete_instance(instance.id).unwrap_err();
    assert_eq!(err.effect(), Effect::MayHaveTakenEffect);
    assert!(err.to_string().ends_with("if the request was sent, the request may have taken effect"), "{err}");
}
