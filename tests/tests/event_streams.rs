//! Input event streams through the generated client (the `eventstreams` fixture): events encoded as
//! messages, each wrapped in an envelope whose signature chains to the request's, an empty envelope
//! at the end; and a bidirectional conversation over real HTTP/2 on loopback, where each event is
//! sent only after the reply to the previous one arrived.

use bytes::{Bytes, BytesMut};
use fixture_eventstreams::types::*;
use fixture_eventstreams::Client;
use std::sync::Arc;
use std::time::Duration;
use stratus_runtime::credentials::Credentials;
use stratus_runtime::event_stream::{decode_message, EventSender, HeaderValue, Message};
use stratus_runtime::http::{Body, CaptureClient};
use stratus_runtime::sigv4::EventSigner;
use stratus_runtime::types::{Blob, DateTime};
use stratus_runtime::Config;

fn config(http: Arc<dyn stratus_runtime::http::HttpClient>, endpoint: &str) -> Config {
    Config::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .http_client(http)
        .build()
        .unwrap()
}

fn event(event_type: &str, payload: &str) -> Vec<u8> {
    Message {
        headers: vec![
            (":message-type".into(), HeaderValue::String("event".into())),
            (":event-type".into(), HeaderValue::String(event_type.into())),
            (":content-type".into(), HeaderValue::String("application/json".into())),
        ],
        payload: Bytes::copy_from_slice(payload.as_bytes()),
    }
    .encode()
}

fn all_messages(body: &[u8]) -> Vec<Message> {
    let mut buf = BytesMut::from(body);
    let mut out = Vec::new();
    while let Some(m) = decode_message(&mut buf).unwrap() {
        out.push(m);
    }
    assert!(buf.is_empty(), "trailing bytes");
    out
}

fn header<'a>(m: &'a Message, name: &str) -> &'a HeaderValue {
    &m.headers.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name} in {m:?}")).1
}

#[tokio::test]
async fn sent_events_are_encoded_signed_and_chained() {
    let replies =
        [event("ReplyEvent", r#"{"Text":"hello","Heard":2}"#), event("ReplyEvent", r#"{"Text":"bye"}"#)].concat();
    let http = Arc::new(CaptureClient::new(move |_| {
        let mut response = http::Response::new(Body::from_bytes(Bytes::from(replies.clone())));
        response.headers_mut().insert("x-request-id", http::HeaderValue::from_static("r-1"));
        Ok(response)
    }));
    let client = Client::new(&config(http.clone(), "https://converse.example.com"));
    let events = EventSender::from_events(vec![
        ConverseInputStream::TextEvent(TextEvent { text: "hi".into(), language: Some("en".into()) }),
        ConverseInputStream::AudioEvent(AudioEvent { chunk: Some(Blob::from("\u{0}\u{1}")) }),
        ConverseInputStream::EndEvent(EndEvent {}),
    ]);
    let mut out = client.converse().session_id("s-1").mode(Mode::Voice).events(events).send().await.unwrap();
    assert_eq!(out.request_id.as_deref(), Some("r-1"));
    let mut texts = Vec::new();
    while let Some(reply) = out.replies.recv().await {
        match reply.unwrap() {
            ConverseOutputStream::ReplyEvent(r) => texts.push(r.text.unwrap_or_default()),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(texts, ["hello", "bye"]);

    let requests = http.requests();
    let req = &requests[0];
    assert_eq!(req.uri().path(), "/sessions/s-1/converse");
    assert_eq!(req.headers()["content-type"], "application/vnd.amazon.eventstream");
    assert_eq!(req.headers()["x-converse-mode"], "voice");
    assert_eq!(req.headers()["x-amz-content-sha256"], "STREAMING-AWS4-HMAC-SHA256-EVENTS");
    let authorization = req.headers()["authorization"].to_str().unwrap();
    assert!(authorization.contains("x-amz-content-sha256"), "the payload marker is signed: {authorization}");
    let seed = authorization.rsplit("Signature=").next().unwrap();

    // Three events and the end, each in a signed envelope chained to the previous signature.
    let envelopes = all_messages(req.body());
    assert_eq!(envelopes.len(), 4);
    let credentials = Credentials::new("AKID", "SECRET", None, None, "test");
    let mut verifier = EventSigner::new(&credentials, "us-east-1", "converse", seed);
    for envelope in &envelopes {
        let HeaderValue::Timestamp(ms) = header(envelope, ":date") else { panic!("no :date") };
        let expected = verifier.sign(envelope.payload.clone(), DateTime::from_millis(*ms));
        assert_eq!(header(envelope, ":chunk-signature"), header(&expected, ":chunk-signature"), "chain broken");
    }
    assert!(envelopes[3].payload.is_empty(), "the stream ends with an empty envelope");

    let inner: Vec<Message> = envelopes[..3].iter().map(|e| all_messages(&e.payload).remove(0)).collect();
    let types: Vec<&str> = inner.iter().map(|m| m.header_str(":event-type").unwrap()).collect();
    assert_eq!(types, ["TextEvent", "AudioEvent", "EndEvent"]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&inner[0].payload).unwrap()["language"], "en");
    assert_eq!(inner[0].header_str(":content-type"), Some("application/json"));
    assert_eq!(&inner[1].payload[..], b"\x00\x01", "a blob event payload is sent raw");
    assert_eq!(inner[1].header_str(":content-type"), Some("application/octet-stream"));
    assert_eq!(&inner[2].payload[..], b"{}");
}

#[tokio::test]
async fn a_stream_is_sent_once_and_unknown_events_are_refused() {
    let http = Arc::new(CaptureClient::always(200, r#"{"Transcript":"ok","Chunks":1}"#));
    let client = Client::new(&config(http.clone(), "https://converse.example.com"));
    let audio = EventSender::from_events(vec![AudioStream::AudioEvent(AudioEvent { chunk: None })]);
    let out = client.listen().session_id("s").audio(audio.clone()).send().await.unwrap();
    assert_eq!(out.transcript.as_deref(), Some("ok"));
    // A second call with the same (shared) sender sends no events: only the end of the stream.
    client.listen().session_id("s").audio(audio).send().await.unwrap();
    assert_eq!(all_messages(http.requests()[1].body()).len(), 1);
    // No sender at all: the body is the end of the stream alone.
    client.listen().session_id("s").send().await.unwrap();
    assert_eq!(all_messages(http.requests()[2].body()).len(), 1);

    let unknown = EventSender::from_events(vec![AudioStream::Unknown]);
    let err = client.listen().session_id("s").audio(unknown).send().await.unwrap_err();
    assert!(err.to_string().contains("cannot be sent"), "{err}");
}

/// An HTTP/2 (prior knowledge) server on loopback that answers each event as it arrives: the
/// response head goes out at once, and a `ReplyEvent` echoing the text follows every `TextEvent`.
async fn echo_server() -> (String, tokio::task::JoinHandle<()>) {
    use http_body_util::BodyExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let service = hyper::service::service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
            let (tx, rx) = tokio::sync::mpsc::channel::<Result<hyper::body::Frame<Bytes>, std::convert::Infallible>>(8);
            tokio::spawn(async move {
                let mut body = req.into_body();
                let mut buf = BytesMut::new();
                while let Some(Ok(frame)) = body.frame().await {
                    let Ok(data) = frame.into_data() else { continue };
                    buf.extend_from_slice(&data);
                    while let Some(envelope) = decode_message(&mut buf).unwrap() {
                        if envelope.payload.is_empty() {
                            return; // the end of the client's stream; dropping tx ends the response
                        }
                        let inner = all_messages(&envelope.payload).remove(0);
                        let text: serde_json::Value = serde_json::from_slice(&inner.payload).unwrap();
                        let reply =
                            event("ReplyEvent", &format!(r#"{{"Text":"echo {}"}}"#, text["Text"].as_str().unwrap()));
                        if tx.send(Ok(hyper::body::Frame::data(Bytes::from(reply)))).await.is_err() {
                            return;
                        }
                    }
                }
            });
            let body = http_body_util::StreamBody::new(ReceiverStream(rx));
            Ok::<_, std::convert::Infallible>(hyper::Response::new(body))
        });
        hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
            .serve_connection(hyper_util::rt::TokioIo::new(socket), service)
            .await
            .unwrap();
    });
    (url, task)
}

struct ReceiverStream<T>(tokio::sync::mpsc::Receiver<T>);

impl<T> futures_core::Stream for ReceiverStream<T> {
    type Item = T;
    fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}

#[tokio::test]
async fn a_bidirectional_conversation_over_http2() {
    let (url, server) = echo_server().await;
    let http = Arc::new(stratus_runtime::http::HyperClient::new(Default::default()).unwrap());
    let client = Client::new(&config(http, &url));
    let (events, tx) = EventSender::channel(1);
    let text = |t: &str| ConverseInputStream::TextEvent(TextEvent { text: t.into(), language: None });
    tx.send(text("one")).await.unwrap();
    let conversation = async {
        let mut out = client.converse().session_id("s").events(events).send().await.unwrap();
        // Each next event is sent only after the reply to the last one came back: this can only
        // finish if requests and responses flow at the same time.
        let mut heard = Vec::new();
        for next in ["two", "three"] {
            let ConverseOutputStream::ReplyEvent(reply) = out.replies.recv().await.unwrap().unwrap() else {
                panic!("not a reply")
            };
            heard.push(reply.text.unwrap());
            tx.send(text(next)).await.unwrap();
        }
        let ConverseOutputStream::ReplyEvent(reply) = out.replies.recv().await.unwrap().unwrap() else {
            panic!("not a reply")
        };
        heard.push(reply.text.unwrap());
        drop(tx);
        assert!(out.replies.recv().await.is_none(), "the service ends its stream after the client's");
        heard
    };
    let heard = tokio::time::timeout(Duration::from_secs(10), conversation).await.expect("the conversation stalled");
    assert_eq!(heard, ["echo one", "echo two", "echo three"]);
    server.abort();
}
