//! The `tracing` feature: spans per call and attempt, events for requests, responses, retries and
//! failures — and never a credential. A small subscriber records everything into strings.

#![cfg(feature = "tracing")]

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use stratus_runtime::client::{Handle, ServiceInfo};
use stratus_runtime::credentials::Credentials;
use stratus_runtime::error::RawResponse;
use stratus_runtime::http::{Body, CaptureClient};
use stratus_runtime::operation::{ErrorDetails, OpSpec, Operation, OperationError, Request, Unhandled};
use stratus_runtime::Config;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const SECRET_KEY: &str = "SECRETKEY-CANARY-1f2e";
const SESSION_TOKEN: &str = "SESSIONTOKEN-CANARY-9a8b";
const QUERY_VALUE: &str = "QUERYVALUE-CANARY-77";

/// A span's or an event's name and fields, and (for events) the spans it happened in.
#[derive(Clone, Debug, Default)]
struct Captured {
    name: String,
    fields: Vec<(String, String)>,
    within: Vec<String>,
}

impl Captured {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl Visit for Captured {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.fields.push((field.name().to_string(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.fields.push((field.name().to_string(), value.to_string()));
    }
}

#[derive(Default)]
struct Capture {
    next: AtomicU64,
    spans: Mutex<HashMap<u64, Captured>>,
    /// The entered spans (the test runs on one thread).
    stack: Mutex<Vec<u64>>,
    events: Mutex<Vec<Captured>>,
}

impl Capture {
    /// Every span and event, as text: what a log would hold.
    fn everything(&self) -> String {
        let spans = self.spans.lock().unwrap();
        let events = self.events.lock().unwrap();
        format!("{:?} {:?}", spans.values().collect::<Vec<_>>(), *events)
    }

    fn spans_named(&self, name: &str) -> Vec<Captured> {
        let spans = self.spans.lock().unwrap();
        let mut found: Vec<(u64, Captured)> =
            spans.iter().filter(|(_, s)| s.name == name).map(|(id, s)| (*id, s.clone())).collect();
        found.sort_by_key(|(id, _)| *id);
        found.into_iter().map(|(_, s)| s).collect()
    }

    fn events_named(&self, message: &str) -> Vec<Captured> {
        self.events.lock().unwrap().iter().filter(|e| e.name == message).cloned().collect()
    }
}

/// Shares one [`Capture`] between the test and the dispatcher.
#[derive(Clone, Default)]
struct Shared(Arc<Capture>);

impl Subscriber for Shared {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.0.next.fetch_add(1, Ordering::SeqCst) + 1;
        let mut record = Captured { name: span.metadata().name().to_string(), ..Captured::default() };
        span.record(&mut record);
        self.0.spans.lock().unwrap().insert(id, record);
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some(record) = self.0.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(record);
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut record = Captured::default();
        event.record(&mut record);
        // The message is the event's name.
        if let Some(i) = record.fields.iter().position(|(k, _)| k == "message") {
            record.name = record.fields.remove(i).1;
        }
        let spans = self.0.spans.lock().unwrap();
        record.within = self.0.stack.lock().unwrap().iter().filter_map(|id| spans.get(id)).map(describe).collect();
        self.0.events.lock().unwrap().push(record);
    }

    fn enter(&self, span: &Id) {
        self.0.stack.lock().unwrap().push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut stack = self.0.stack.lock().unwrap();
        if let Some(i) = stack.iter().rposition(|id| *id == span.into_u64()) {
            stack.remove(i);
        }
    }
}

/// `name{k=v,...}`.
fn describe(span: &Captured) -> String {
    let fields: Vec<String> = span.fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}{{{}}}", span.name, fields.join(","))
}

static RULES: &str = r#"{
  "version": "1.0",
  "parameters": {
    "Region": {"builtIn": "AWS::Region", "required": false, "type": "String"}
  },
  "rules": [
    {"conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}],
     "endpoint": {"url": "https://thing.{Region}.amazonaws.com"}, "type": "endpoint"},
    {"conditions": [], "error": "no region", "type": "error"}
  ]
}"#;

static INFO: ServiceInfo = ServiceInfo {
    service_id: "Thing Service",
    signing_name: "thing",
    api_version: "2024-01-01",
    crate_version: "stratus-thing/0.0.0",
    endpoint_rules: RULES,
};

#[derive(Serialize, Default)]
struct GetThing {
    #[serde(skip)]
    token: String,
}

#[derive(Deserialize, Default, Debug)]
struct Thing {}

#[derive(Debug)]
struct ThingError(Unhandled);

impl OperationError for ThingError {
    fn from_response(code: &str, message: Option<&str>, _: &RawResponse) -> Self {
        ThingError(Unhandled::new(code, message))
    }

    fn details(&self) -> &dyn ErrorDetails {
        &self.0
    }
}

impl Operation for GetThing {
    type Output = Thing;
    type Error = ThingError;
    const SPEC: OpSpec = OpSpec::new("GetThing", "GET", "/things?mode=full", 200);

    fn bind(&self, req: &mut Request) {
        req.query("token", &self.token);
    }
}

fn answer(status: u16, request_id: &str, body: &'static str) -> http::Response<Body> {
    http::Response::builder()
        .status(status)
        .header("x-amzn-requestid", request_id)
        .header("content-type", "application/json")
        .body(Body::from_bytes(Bytes::from_static(body.as_bytes())))
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn calls_attempts_retries_and_failures_are_traced_without_secrets() {
    let capture = Shared::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let calls = Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    let fake = Arc::new(CaptureClient::new(move |_| {
        Ok(match n.fetch_add(1, Ordering::SeqCst) {
            0 => answer(503, "req-1", r#"{"__type":"ServiceUnavailable"}"#),
            1 => answer(200, "req-2", "{}"),
            _ => answer(400, "req-3", r#"{"__type":"ValidationException","message":"bad thing"}"#),
        })
    }));
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKIDEXAMPLE", SECRET_KEY, Some(SESSION_TOKEN.to_string()), None, "test"))
        .http_client(fake.clone())
        .max_attempts(3)
        .build()
        .unwrap();
    let handle = Handle::new(&config, &INFO);
    handle.call(GetThing { token: QUERY_VALUE.into() }).await.unwrap();
    handle.call(GetThing { token: QUERY_VALUE.into() }).await.unwrap_err();

    // The secrets were sent (so their absence below means something)...
    let sent = fake.requests();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0].headers()["x-amz-security-token"], SESSION_TOKEN);
    assert!(sent[0].uri().query().unwrap_or_default().contains(QUERY_VALUE));
    // ...and never traced, nor any header.
    let everything = capture.0.everything();
    for secret in [SECRET_KEY, SESSION_TOKEN, QUERY_VALUE, "AWS4-HMAC-SHA256", "Signature=", "x-amz-security-token"] {
        assert!(!everything.contains(secret), "`{secret}` in the trace: {everything}");
    }

    let operations = capture.0.spans_named("stratus.operation");
    assert_eq!(operations.len(), 2);
    assert_eq!(
        describe(&operations[0]),
        "stratus.operation{service=Thing Service,operation=GetThing,region=us-east-1}"
    );
    let attempts: Vec<String> = capture.0.spans_named("stratus.attempt").iter().map(describe).collect();
    assert_eq!(attempts, ["stratus.attempt{attempt=1}", "stratus.attempt{attempt=2}", "stratus.attempt{attempt=1}"]);

    let sent = capture.0.events_named("request sent");
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0].field("method"), Some("GET"));
    assert_eq!(sent[0].field("uri"), Some("https://thing.us-east-1.amazonaws.com/things?mode&token"));
    assert_eq!(
        sent[1].within,
        ["stratus.operation{service=Thing Service,operation=GetThing,region=us-east-1}", "stratus.attempt{attempt=2}"]
    );

    let received = capture.0.events_named("response received");
    let statuses: Vec<(Option<&str>, Option<&str>)> =
        received.iter().map(|e| (e.field("status"), e.field("request_id"))).collect();
    assert_eq!(statuses, [(Some("503"), Some("req-1")), (Some("200"), Some("req-2")), (Some("400"), Some("req-3"))]);
    assert!(received.iter().all(|e| e.field("duration_ms").is_some()));

    let retrying = capture.0.events_named("retrying");
    assert_eq!(retrying.len(), 1);
    assert_eq!((retrying[0].field("attempt"), retrying[0].field("reason")), (Some("1"), Some("Transient")));
    assert!(retrying[0].field("delay_ms").is_some());
    assert_eq!(retrying[0].within.len(), 1, "between attempts: {:?}", retrying[0].within);

    let failed = capture.0.events_named("attempt failed");
    assert_eq!(failed.len(), 2, "{failed:?}");
    let failed = capture.0.events_named("operation failed");
    assert_eq!(failed.len(), 1, "{failed:?}");
    let error = failed[0].field("error").unwrap_or_default();
    assert!(error.contains("GetThing") && error.contains("ValidationException"), "{error}");
}
