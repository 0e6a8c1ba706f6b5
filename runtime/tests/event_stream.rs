//! Event-stream decoding with hand-built frames: good events split across chunks, a corrupted CRC,
//! a truncated frame, exception and error messages, unknown events.

use bytes::{Bytes, BytesMut};
use stratus_runtime::event_stream::*;
use stratus_runtime::http::{Body, HttpError, HttpErrorKind};

#[derive(Debug, PartialEq)]
enum Ev {
    Chunk(Vec<u8>),
    Done(serde_json::Value),
}

impl EventUnion for Ev {
    fn from_event(event_type: &str, m: &Message) -> Result<Option<Self>, EventStreamError> {
        Ok(match event_type {
            "PayloadChunk" => Some(Ev::Chunk(m.payload.to_vec())),
            "InvokeComplete" => Some(Ev::Done(m.json()?)),
            _ => None,
        })
    }
}

fn event(kind: &str, payload: &[u8]) -> Vec<u8> {
    Message {
        headers: vec![
            (":message-type".into(), HeaderValue::String("event".into())),
            (":event-type".into(), HeaderValue::String(kind.into())),
            (":content-type".into(), HeaderValue::String("application/octet-stream".into())),
        ],
        payload: Bytes::copy_from_slice(payload),
    }
    .encode()
}

fn stream(chunks: Vec<Vec<u8>>) -> EventStream<Ev> {
    EventStream::new(Body::from_chunks(chunks.into_iter().map(|c| Ok(Bytes::from(c)))))
}

#[tokio::test]
async fn events_split_across_chunks_decode_in_order() {
    let mut bytes = event("PayloadChunk", b"hello ");
    bytes.extend(event("Unknown", b"skipped"));
    bytes.extend(event("PayloadChunk", b"world"));
    bytes.extend(event("InvokeComplete", br#"{"LogResult":"abc"}"#));
    // Deliver in awkward pieces: 1, 7, 13... bytes.
    let mut chunks = Vec::new();
    let mut rest = &bytes[..];
    let mut size = 1;
    while !rest.is_empty() {
        let n = size.min(rest.len());
        chunks.push(rest[..n].to_vec());
        rest = &rest[n..];
        size += 6;
    }
    let mut s = stream(chunks);
    assert_eq!(s.recv().await.unwrap().unwrap(), Ev::Chunk(b"hello ".to_vec()));
    assert_eq!(s.recv().await.unwrap().unwrap(), Ev::Chunk(b"world".to_vec()));
    assert_eq!(s.recv().await.unwrap().unwrap(), Ev::Done(serde_json::json!({"LogResult": "abc"})));
    assert!(s.recv().await.is_none());
}

#[tokio::test]
async fn a_corrupted_crc_is_an_error() {
    let mut bytes = event("PayloadChunk", b"data");
    let last = bytes.len() - 6;
    bytes[last] ^= 0xff; // flip a payload byte: the message CRC no longer matches
    let mut s = stream(vec![bytes]);
    assert_eq!(s.recv().await.unwrap().unwrap_err(), EventStreamError::Frame("message checksum mismatch".into()));
    assert!(s.recv().await.is_none(), "the stream ends after a corrupt frame");

    let mut bytes = event("PayloadChunk", b"data");
    bytes[1] ^= 0x01; // the prelude CRC catches a bad length before it is trusted
    let mut s = stream(vec![bytes]);
    assert_eq!(s.recv().await.unwrap().unwrap_err(), EventStreamError::Frame("prelude checksum mismatch".into()));
}

#[tokio::test]
async fn a_truncated_frame_is_an_error() {
    let bytes = event("PayloadChunk", b"data");
    let mut s = stream(vec![bytes[..bytes.len() - 3].to_vec()]);
    assert_eq!(s.recv().await.unwrap().unwrap_err(), EventStreamError::Truncated);
}

#[tokio::test]
async fn exception_and_error_messages() {
    let exception = Message {
        headers: vec![
            (":message-type".into(), HeaderValue::String("exception".into())),
            (":exception-type".into(), HeaderValue::String("ServiceException".into())),
        ],
        payload: Bytes::from_static(br#"{"message":"it broke"}"#),
    };
    let mut s = stream(vec![exception.encode()]);
    let err = s.recv().await.unwrap().unwrap_err();
    assert_eq!(err, EventStreamError::Exception { code: "ServiceException".into(), message: Some("it broke".into()) });
    assert_eq!(err.to_string(), "stream error ServiceException: it broke");

    let error = Message {
        headers: vec![
            (":message-type".into(), HeaderValue::String("error".into())),
            (":error-code".into(), HeaderValue::String("InternalError".into())),
            (":error-message".into(), HeaderValue::String("oops".into())),
        ],
        payload: Bytes::new(),
    };
    let mut s = stream(vec![error.encode()]);
    assert!(
        matches!(s.recv().await.unwrap().unwrap_err(), EventStreamError::Error { code, .. } if code == "InternalError")
    );
}

#[tokio::test]
async fn transport_errors_and_bad_json_surface() {
    let body = Body::from_chunks([
        Ok(Bytes::from(event("PayloadChunk", b"a"))),
        Err(HttpError::new(HttpErrorKind::Io, "reset")),
    ]);
    let mut s: EventStream<Ev> = EventStream::new(body);
    assert!(s.recv().await.unwrap().is_ok());
    assert!(matches!(s.recv().await.unwrap().unwrap_err(), EventStreamError::Transport(_)));

    let mut s = stream(vec![event("InvokeComplete", b"{not json")]);
    assert!(matches!(s.recv().await.unwrap().unwrap_err(), EventStreamError::Decode(_)));
}

#[test]
fn every_header_type_round_trips_and_garbage_never_panics() {
    let m = Message {
        headers: vec![
            ("a".into(), HeaderValue::Bool(true)),
            ("b".into(), HeaderValue::Bool(false)),
            ("c".into(), HeaderValue::Byte(-3)),
            ("d".into(), HeaderValue::Short(-300)),
            ("e".into(), HeaderValue::Int(70_000)),
            ("f".into(), HeaderValue::Long(-5_000_000_000)),
            ("g".into(), HeaderValue::Bytes(Bytes::from_static(b"\x00\x01"))),
            ("h".into(), HeaderValue::String("héllo".into())),
            ("i".into(), HeaderValue::Timestamp(1_700_000_000_000)),
            ("j".into(), HeaderValue::Uuid([7; 16])),
        ],
        payload: Bytes::from_static(b"payload"),
    };
    let encoded = m.encode();
    let mut buf = BytesMut::from(&encoded[..]);
    assert_eq!(decode_message(&mut buf).unwrap().unwrap(), m);
    assert!(buf.is_empty());
    // Every truncation and every single-byte corruption: Ok(None) or Err, never a panic.
    for cut in 0..encoded.len() {
        let _ = decode_message(&mut BytesMut::from(&encoded[..cut]));
    }
    for i in 0..encoded.len() {
        let mut bad = encoded.clone();
        bad[i] ^= 0x5a;
        let _ = decode_message(&mut BytesMut::from(&bad[..]));
    }
}
