//! Unit tests of the faults: parsing, the queue, the deliveries.

use std::sync::atomic::AtomicBool;

use super::*;

#[test]
fn queue_is_fifo_and_counts_times() {
    let mut queue = FaultQueue::default();
    queue.push(Fault::new(FaultKind::Reset).times(2));
    queue.push(Fault::new(FaultKind::Truncate).times(0));
    queue.push(Fault::new(FaultKind::Delay { ms: 1 }));
    assert_eq!(queue.next("GET"), Some(FaultKind::Reset));
    assert_eq!(queue.pending(), vec![Fault::new(FaultKind::Reset), Fault::new(FaultKind::Delay { ms: 1 })]);
    assert_eq!(queue.next("GET"), Some(FaultKind::Reset));
    assert_eq!(queue.next("GET"), Some(FaultKind::Delay { ms: 1 }));
    assert_eq!(queue.next("GET"), None);
}

#[test]
fn every_and_method_narrow_a_fault() {
    let mut queue = FaultQueue::default();
    queue.push(Fault::new(FaultKind::CreateThenReset).every(3).times(2).method("post"));
    let drawn: Vec<bool> = ["POST", "GET", "POST", "POST", "GET", "POST", "POST", "POST", "POST", "POST"]
        .iter()
        .map(|m| queue.next(m).is_some())
        .collect();
    assert_eq!(drawn, [false, false, false, true, false, false, false, true, false, false]);
    assert!(queue.pending().is_empty());
    // every 0 acts as every 1.
    queue.push(Fault::new(FaultKind::Reset).every(0));
    assert_eq!(queue.next("GET"), Some(FaultKind::Reset));
}

#[test]
fn oversize_and_hex_bodies() {
    let stop = AtomicBool::new(false);
    let Delivery::Full(r) = apply(Some(FaultKind::Oversize { bytes: 100 }), &stop, String::new, || panic!()) else {
        panic!("expected a full response")
    };
    assert_eq!(r.body.len(), 100);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_ok());
    let hex = FaultKind::Body {
        status: 200,
        content_type: json(),
        body: String::new(),
        body_hex: Some("7b 22 ff 22 7d".into()),
    };
    assert_eq!(Fault::new(hex.clone()).validate(), Ok(()));
    let Delivery::Full(r) = apply(Some(hex), &stop, String::new, || panic!()) else { panic!() };
    assert_eq!(r.body, b"{\"\xff\"}");
    let bad = FaultKind::Body { status: 200, content_type: json(), body: String::new(), body_hex: Some("7".into()) };
    assert!(Fault::new(bad).validate().is_err());
    assert!(Fault::new(FaultKind::Oversize { bytes: 3 }).validate().is_err());
}

#[test]
fn json_shapes() {
    let fault: Fault = serde_json::from_str(r#"{"kind":"body","status":200,"body":"x"}"#).unwrap();
    assert_eq!(
        fault,
        Fault::new(FaultKind::Body {
            status: 200,
            content_type: "application/json".into(),
            body: "x".into(),
            body_hex: None
        })
    );
    let fault: Fault = serde_json::from_str(r#"{"kind":"reset","times":3}"#).unwrap();
    assert_eq!(fault, Fault::new(FaultKind::Reset).times(3));
    assert_eq!(
        serde_json::to_value(Fault::new(FaultKind::Delay { ms: 5 })).unwrap(),
        serde_json::json!({"kind": "delay", "ms": 5, "times": 1, "every": 1})
    );
    assert!(serde_json::from_str::<Fault>(r#"{"kind":"explode"}"#).is_err());
    let bad: Fault = serde_json::from_str(r#"{"kind":"status","status":42}"#).unwrap();
    assert!(bad.validate().is_err());
}

#[test]
fn only_final_statuses_are_valid() {
    let status =
        |status| Fault::new(FaultKind::Status { status, message: None, provider_message: None, retry_after: None });
    let body =
        |status| Fault::new(FaultKind::Body { status, content_type: json(), body: String::new(), body_hex: None });
    for code in [200, 204, 299, 302, 404, 599] {
        assert_eq!(status(code).validate(), Ok(()), "{code}");
        assert_eq!(body(code).validate(), Ok(()), "{code}");
    }
    for code in [0, 42, 100, 101, 103, 199, 600, 999, u16::MAX] {
        let message = status(code).validate().unwrap_err();
        assert_eq!(message, format!("Fault status must be between 200 and 599, got {code}"));
        assert!(body(code).validate().is_err(), "{code}");
    }
    for other in [FaultKind::Delay { ms: 0 }, FaultKind::Reset, FaultKind::Truncate] {
        assert_eq!(Fault::new(other).validate(), Ok(()));
    }
}

#[test]
fn status_fault_skips_the_handler() {
    let stop = AtomicBool::new(false);
    let kind = FaultKind::Status {
        status: 503,
        message: None,
        provider_message: Some("upstream".into()),
        retry_after: Some("7".into()),
    };
    let delivery = apply(Some(kind), &stop, || "rid".into(), || panic!("must not be handled"));
    let Delivery::Full(response) = delivery else { panic!("expected a full response") };
    assert_eq!(response.status, 503);
    assert_eq!(response.headers, vec![("Retry-After".to_string(), "7".to_string())]);
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"requestId": "rid", "message": "Service Unavailable", "providerMessage": "upstream"})
    );
}
