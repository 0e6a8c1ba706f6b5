//! `application/vnd.amazon.eventstream`: [`EventStream`], the typed stream of events an operation
//! such as Lambda's `InvokeWithResponseStream` returns, and [`EventSender`], the events an operation
//! such as Bedrock's `InvokeModelWithBidirectionalStream` sends.
//!
//! A message is: total length (u32), headers length (u32), a CRC-32 of those eight bytes, the headers,
//! the payload, and a CRC-32 of everything before it. Both checksums are verified; a corrupt or
//! truncated frame is an error, never a panic. Headers carry `:message-type` (`event`, `exception`,
//! `error`), `:event-type` or `:exception-type`, and `:content-type`.

mod send;

pub use send::{EventBody, EventEncode, EventSender, EventTx};

use crate::http::Body;
use crate::types::Blob;
use bytes::{Buf, Bytes, BytesMut};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The largest message accepted (the protocol's limit is 16 MiB).
const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// A header value.
#[derive(Clone, Debug, PartialEq)]
pub enum HeaderValue {
    /// Boolean.
    Bool(bool),
    /// 8-bit integer.
    Byte(i8),
    /// 16-bit integer.
    Short(i16),
    /// 32-bit integer.
    Int(i32),
    /// 64-bit integer.
    Long(i64),
    /// Bytes.
    Bytes(Bytes),
    /// String.
    String(String),
    /// Milliseconds since the epoch.
    Timestamp(i64),
    /// UUID bytes.
    Uuid([u8; 16]),
}

/// One decoded message.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Headers, in order.
    pub headers: Vec<(String, HeaderValue)>,
    /// Payload.
    pub payload: Bytes,
}

impl Message {
    /// A string header.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|(n, v)| match v {
            HeaderValue::String(s) if n == name => Some(s.as_str()),
            _ => None,
        })
    }

    /// The payload as a blob.
    pub fn payload_blob(&self) -> Blob {
        Blob::from(self.payload.to_vec())
    }

    /// The payload as JSON (an empty payload gives the default).
    pub fn json<T: serde::de::DeserializeOwned + Default>(&self) -> Result<T, EventStreamError> {
        if self.payload.is_empty() {
            return Ok(T::default());
        }
        serde_json::from_slice(&self.payload).map_err(|e| {
            EventStreamError::Decode(format!("invalid JSON event payload: {}", crate::types::json_error_text(&e)))
        })
    }

    /// Encodes the message.
    pub fn encode(&self) -> Vec<u8> {
        let headers = self.encoded_headers();
        let total = 16 + headers.len() + self.payload.len();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&(total as u32).to_be_bytes());
        out.extend_from_slice(&(headers.len() as u32).to_be_bytes());
        let prelude_crc = crc32fast::hash(&out);
        out.extend_from_slice(&prelude_crc.to_be_bytes());
        out.extend_from_slice(&headers);
        out.extend_from_slice(&self.payload);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }

    /// The headers in their wire form.
    pub fn encoded_headers(&self) -> Vec<u8> {
        let mut headers = Vec::new();
        for (name, value) in &self.headers {
            headers.push(name.len() as u8);
            headers.extend_from_slice(name.as_bytes());
            match value {
                HeaderValue::Bool(true) => headers.push(0),
                HeaderValue::Bool(false) => headers.push(1),
                HeaderValue::Byte(b) => {
                    headers.push(2);
                    headers.push(*b as u8);
                }
                HeaderValue::Short(v) => {
                    headers.push(3);
                    headers.extend_from_slice(&v.to_be_bytes());
                }
                HeaderValue::Int(v) => {
                    headers.push(4);
                    headers.extend_from_slice(&v.to_be_bytes());
                }
                HeaderValue::Long(v) => {
                    headers.push(5);
                    headers.extend_from_slice(&v.to_be_bytes());
                }
                HeaderValue::Bytes(b) => {
                    headers.push(6);
                    headers.extend_from_slice(&(b.len() as u16).to_be_bytes());
                    headers.extend_from_slice(b);
                }
                HeaderValue::String(s) => {
                    headers.push(7);
                    headers.extend_from_slice(&(s.len() as u16).to_be_bytes());
                    headers.extend_from_slice(s.as_bytes());
                }
                HeaderValue::Timestamp(v) => {
                    headers.push(8);
                    headers.extend_from_slice(&v.to_be_bytes());
                }
                HeaderValue::Uuid(u) => {
                    headers.push(9);
                    headers.extend_from_slice(u);
                }
            }
        }
        headers
    }
}

/// What went wrong reading or sending an event stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventStreamError {
    /// A frame is corrupt (bad length or checksum, malformed headers).
    Frame(String),
    /// The stream ended in the middle of a frame.
    Truncated,
    /// An event could not be decoded into its type.
    Decode(String),
    /// The service sent an exception event.
    Exception {
        /// `:exception-type`.
        code: String,
        /// Its message, when the payload has one.
        message: Option<String>,
    },
    /// The service sent an error message.
    Error {
        /// `:error-code`.
        code: String,
        /// `:error-message`.
        message: Option<String>,
    },
    /// The connection failed.
    Transport(String),
    /// An event to send could not be encoded.
    Encode(String),
    /// The request the events were for is over: nothing reads them any more.
    Closed,
}

impl fmt::Display for EventStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventStreamError::Frame(m) => write!(f, "corrupt event stream frame: {m}"),
            EventStreamError::Truncated => f.write_str("event stream ended in the middle of a frame"),
            EventStreamError::Decode(m) => write!(f, "cannot decode event: {m}"),
            EventStreamError::Exception { code, message } | EventStreamError::Error { code, message } => {
                write!(f, "stream error {code}")?;
                if let Some(m) = message {
                    write!(f, ": {m}")?;
                }
                Ok(())
            }
            EventStreamError::Transport(m) => write!(f, "event stream connection error: {m}"),
            EventStreamError::Encode(m) => write!(f, "cannot encode event: {m}"),
            EventStreamError::Closed => f.write_str("the event stream is closed: its request is over"),
        }
    }
}

impl std::error::Error for EventStreamError {}

/// Decodes one message from the front of `buf`; `Ok(None)` when more bytes are needed.
pub fn decode_message(buf: &mut BytesMut) -> Result<Option<Message>, EventStreamError> {
    if buf.len() < 12 {
        return Ok(None);
    }
    let total = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    let headers_len = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]) as usize;
    let prelude_crc = u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]);
    if crc32fast::hash(&buf[..8]) != prelude_crc {
        return Err(EventStreamError::Frame("prelude checksum mismatch".into()));
    }
    if !(16..=MAX_MESSAGE).contains(&total) || headers_len > total - 16 {
        return Err(EventStreamError::Frame(format!("impossible lengths (total {total}, headers {headers_len})")));
    }
    if buf.len() < total {
        return Ok(None);
    }
    let frame = buf.split_to(total).freeze();
    let crc = u32::from_be_bytes([frame[total - 4], frame[total - 3], frame[total - 2], frame[total - 1]]);
    if crc32fast::hash(&frame[..total - 4]) != crc {
        return Err(EventStreamError::Frame("message checksum mismatch".into()));
    }
    let headers = decode_headers(frame.slice(12..12 + headers_len))?;
    let payload = frame.slice(12 + headers_len..total - 4);
    Ok(Some(Message { headers, payload }))
}

fn decode_headers(mut b: Bytes) -> Result<Vec<(String, HeaderValue)>, EventStreamError> {
    let bad = |what: &str| EventStreamError::Frame(format!("malformed header: {what}"));
    let mut out = Vec::new();
    while b.has_remaining() {
        let name_len = b.get_u8() as usize;
        if b.remaining() < name_len + 1 {
            return Err(bad("name runs past the headers"));
        }
        let name = String::from_utf8(b.split_to(name_len).to_vec()).map_err(|_| bad("name is not UTF-8"))?;
        let kind = b.get_u8();
        let need =
            |b: &Bytes, n: usize| if b.remaining() < n { Err(bad("value runs past the headers")) } else { Ok(()) };
        let value = match kind {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => {
                need(&b, 1)?;
                HeaderValue::Byte(b.get_i8())
            }
            3 => {
                need(&b, 2)?;
                HeaderValue::Short(b.get_i16())
            }
            4 => {
                need(&b, 4)?;
                HeaderValue::Int(b.get_i32())
            }
            5 => {
                need(&b, 8)?;
                HeaderValue::Long(b.get_i64())
            }
            6 | 7 => {
                need(&b, 2)?;
                let len = b.get_u16() as usize;
                need(&b, len)?;
                let bytes = b.split_to(len);
                if kind == 6 {
                    HeaderValue::Bytes(bytes)
                } else {
                    HeaderValue::String(String::from_utf8(bytes.to_vec()).map_err(|_| bad("string is not UTF-8"))?)
                }
            }
            8 => {
                need(&b, 8)?;
                HeaderValue::Timestamp(b.get_i64())
            }
            9 => {
                need(&b, 16)?;
                let mut u = [0u8; 16];
                b.copy_to_slice(&mut u);
                HeaderValue::Uuid(u)
            }
            other => return Err(bad(&format!("unknown value type {other}"))),
        };
        out.push((name, value));
    }
    Ok(out)
}

/// The union of an event stream's events (generated).
pub trait EventUnion: Sized + Send + 'static {
    /// Decodes an event of type `event_type`; `Ok(None)` for an event type this version does not
    /// know (it is skipped).
    fn from_event(event_type: &str, message: &Message) -> Result<Option<Self>, EventStreamError>;
}

struct Reader {
    body: Body,
    buf: BytesMut,
    done: bool,
}

impl Reader {
    async fn next_message(&mut self) -> Result<Option<Message>, EventStreamError> {
        loop {
            if let Some(m) = decode_message(&mut self.buf)? {
                return Ok(Some(m));
            }
            if self.done {
                return if self.buf.is_empty() { Ok(None) } else { Err(EventStreamError::Truncated) };
            }
            match self.body.next_chunk().await {
                Some(Ok(chunk)) => self.buf.extend_from_slice(&chunk),
                Some(Err(e)) => return Err(EventStreamError::Transport(e.to_string())),
                None => self.done = true,
            }
        }
    }
}

type Pending<T> = Pin<Box<dyn Future<Output = (Reader, Option<Result<T, EventStreamError>>)> + Send>>;

struct State<T> {
    reader: Option<Reader>,
    pending: Option<Pending<T>>,
    /// Every task waiting on the stream. The pending read remembers only the waker of the task that
    /// polled it last; when it completes, all the others are woken too, so that a clone polled by
    /// another task never waits for a wake-up that went elsewhere.
    waiters: Vec<std::task::Waker>,
}

/// A stream of typed events; also a `futures_core::Stream`. Clones share the same stream.
pub struct EventStream<T> {
    state: Arc<std::sync::Mutex<State<T>>>,
}

impl<T> Clone for EventStream<T> {
    fn clone(&self) -> Self {
        EventStream { state: self.state.clone() }
    }
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventStream")
    }
}

impl<T> PartialEq for EventStream<T> {
    /// Two handles are equal when they share one stream.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.state, &other.state)
    }
}

impl<T: EventUnion> Default for EventStream<T> {
    /// An empty stream.
    fn default() -> Self {
        EventStream::new(Body::empty())
    }
}

impl<T: EventUnion> EventStream<T> {
    /// Decodes events from a response body.
    pub fn new(body: Body) -> Self {
        let reader = Reader { body, buf: BytesMut::new(), done: false };
        EventStream {
            state: Arc::new(std::sync::Mutex::new(State { reader: Some(reader), pending: None, waiters: Vec::new() })),
        }
    }

    /// The next event; `None` at the end of the stream.
    pub async fn recv(&mut self) -> Option<Result<T, EventStreamError>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    fn poll_event(&self, cx: &mut Context<'_>) -> Poll<Option<Result<T, EventStreamError>>> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.pending.is_none() {
            let Some(mut reader) = state.reader.take() else { return Poll::Ready(None) };
            state.pending = Some(Box::pin(async move {
                let item = next_event::<T>(&mut reader).await;
                (reader, item)
            }));
        }
        let Some(fut) = state.pending.as_mut() else { return Poll::Ready(None) };
        match fut.as_mut().poll(cx) {
            Poll::Pending => {
                if !state.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                    state.waiters.push(cx.waker().clone());
                }
                Poll::Pending
            }
            Poll::Ready((reader, item)) => {
                state.pending = None;
                for waiter in state.waiters.drain(..) {
                    if !waiter.will_wake(cx.waker()) {
                        waiter.wake();
                    }
                }
                // After an error the stream is over: a broken frame leaves no way to resynchronise.
                if matches!(item, Some(Ok(_))) {
                    state.reader = Some(reader);
                }
                Poll::Ready(item)
            }
        }
    }
}

async fn next_event<T: EventUnion>(reader: &mut Reader) -> Option<Result<T, EventStreamError>> {
    loop {
        let message = match reader.next_message().await {
            Ok(Some(m)) => m,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        match message.header_str(":message-type").unwrap_or("event") {
            "event" => {
                let event_type = message.header_str(":event-type").unwrap_or_default().to_string();
                match T::from_event(&event_type, &message) {
                    Ok(Some(event)) => return Some(Ok(event)),
                    Ok(None) => continue,
                    Err(e) => return Some(Err(e)),
                }
            }
            "exception" => {
                let code = message.header_str(":exception-type").unwrap_or("UnknownException").to_string();
                let body: Option<serde_json::Value> = serde_json::from_slice(&message.payload).ok();
                let msg = body
                    .as_ref()
                    .and_then(|b| ["message", "Message"].iter().find_map(|k| b.get(*k)?.as_str().map(str::to_string)));
                return Some(Err(EventStreamError::Exception { code, message: msg }));
            }
            "error" => {
                let code = message.header_str(":error-code").unwrap_or("UnknownError").to_string();
                let msg = message.header_str(":error-message").map(str::to_string);
                return Some(Err(EventStreamError::Error { code, message: msg }));
            }
            other => return Some(Err(EventStreamError::Frame(format!("unknown message type `{other}`")))),
        }
    }
}

impl<T: EventUnion> futures_core::Stream for EventStream<T> {
    type Item = Result<T, EventStreamError>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_event(cx)
    }
}
