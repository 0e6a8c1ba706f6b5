//! Event streams a request sends: [`EventSender`] (what an input member holds), [`EventEncode`]
//! (generated for each union of events a client sends) and [`EventBody`] (the encoded messages,
//! ready for signing).
//!
//! A sent event is a message with `:message-type: event`, `:event-type` naming the union member and
//! `:content-type`; its payload is the event structure as JSON, or the raw bytes of its
//! `eventpayload` blob member. Each message is then wrapped in a signed envelope (see
//! `auth::sigv4::EventSigner`), and an empty signed envelope ends the stream.

use super::{EventStreamError, HeaderValue, Message};
use crate::types::Blob;
use bytes::Bytes;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

type BoxEvents<T> = Pin<Box<dyn futures_core::Stream<Item = T> + Send>>;

/// The union of the events an operation sends (generated).
pub trait EventEncode: Send + 'static {
    /// The message carrying this event.
    fn to_message(&self) -> Result<Message, EventStreamError>;
}

impl Message {
    /// An event message whose payload is `event` as JSON.
    pub fn json_event<T: serde::Serialize>(event_type: &str, event: &T) -> Result<Message, EventStreamError> {
        let payload = serde_json::to_vec(event).map_err(|e| {
            EventStreamError::Encode(format!(
                "event `{event_type}` cannot be written as JSON: {}",
                crate::types::json_error_text(&e)
            ))
        })?;
        Ok(Message::event(event_type, "application/json", Bytes::from(payload)))
    }

    /// An event message whose payload is a blob (an `eventpayload` member; empty when unset).
    pub fn blob_event(event_type: &str, blob: Option<&Blob>) -> Message {
        let payload = blob.map(|b| Bytes::copy_from_slice(b.as_bytes())).unwrap_or_default();
        Message::event(event_type, "application/octet-stream", payload)
    }

    fn event(event_type: &str, content_type: &str, payload: Bytes) -> Message {
        Message {
            headers: vec![
                (":event-type".into(), HeaderValue::String(event_type.into())),
                (":message-type".into(), HeaderValue::String("event".into())),
                (":content-type".into(), HeaderValue::String(content_type.into())),
            ],
            payload,
        }
    }
}

/// The events an input member sends: a stream the client reads as it sends the request body.
///
/// Make one from anything that yields events ([`EventSender::from_stream`]), from a list
/// ([`EventSender::from_events`]), or as a channel ([`EventSender::channel`]) to push events while
/// the call is running. Clones share the same stream; it is read once, by the first call that
/// sends it (a request with a streamed body is never retried).
pub struct EventSender<T> {
    events: Arc<Mutex<Option<BoxEvents<T>>>>,
}

impl<T> Clone for EventSender<T> {
    fn clone(&self) -> Self {
        EventSender { events: self.events.clone() }
    }
}

impl<T> fmt::Debug for EventSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventSender")
    }
}

impl<T> PartialEq for EventSender<T> {
    /// Two handles are equal when they share one stream.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.events, &other.events)
    }
}

impl<T: Send + 'static> Default for EventSender<T> {
    /// A sender of no events: the request body holds only the end of the stream.
    fn default() -> Self {
        EventSender::from_events(Vec::new())
    }
}

impl<T: Send + 'static> EventSender<T> {
    /// Sends the events `stream` yields, until it ends.
    pub fn from_stream(stream: impl futures_core::Stream<Item = T> + Send + 'static) -> Self {
        EventSender { events: Arc::new(Mutex::new(Some(Box::pin(stream)))) }
    }

    /// Sends these events, then ends the stream.
    pub fn from_events(events: impl IntoIterator<Item = T>) -> Self {
        let events: Vec<T> = events.into_iter().collect();
        Self::from_stream(Iter(events.into_iter()))
    }

    /// A sender fed by the returned [`EventTx`]: each [`EventTx::send`] is sent as it comes, and the
    /// stream ends when every `EventTx` is dropped. `capacity` events (at least one) are buffered.
    pub fn channel(capacity: usize) -> (Self, EventTx<T>) {
        let (tx, rx) = tokio::sync::mpsc::channel(capacity.max(1));
        (Self::from_stream(Receiver(rx)), EventTx(tx))
    }

    fn take(&self) -> Option<BoxEvents<T>> {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl<T: Send + 'static> From<Vec<T>> for EventSender<T> {
    fn from(events: Vec<T>) -> Self {
        EventSender::from_events(events)
    }
}

/// Pushes events into an [`EventSender::channel`].
#[derive(Debug)]
pub struct EventTx<T>(tokio::sync::mpsc::Sender<T>);

impl<T> Clone for EventTx<T> {
    fn clone(&self) -> Self {
        EventTx(self.0.clone())
    }
}

impl<T> EventTx<T> {
    /// Queues an event, waiting while the buffer is full. Fails once the request is over (the
    /// body is no longer read).
    pub async fn send(&self, event: T) -> Result<(), EventStreamError> {
        self.0.send(event).await.map_err(|_| EventStreamError::Closed)
    }
}

struct Iter<T>(std::vec::IntoIter<T>);

// The events are never pinned in place: they are moved out one by one.
impl<T> Unpin for Iter<T> {}

impl<T> futures_core::Stream for Iter<T> {
    type Item = T;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<T>> {
        Poll::Ready(self.0.next())
    }
}

struct Receiver<T>(tokio::sync::mpsc::Receiver<T>);

impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}

/// The encoded messages of an input event stream, not yet signed: what the client wraps and sends.
pub struct EventBody {
    messages: Pin<Box<dyn futures_core::Stream<Item = Result<Bytes, EventStreamError>> + Send>>,
}

impl fmt::Debug for EventBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventBody")
    }
}

impl EventBody {
    /// Takes the events of `sender` (`None` when there is no sender, or its stream was already
    /// taken by an earlier call) and encodes each as it comes.
    pub fn take<T: EventEncode>(sender: Option<&EventSender<T>>) -> Option<EventBody> {
        let events = sender?.take()?;
        Some(EventBody { messages: Box::pin(Encoded(events)) })
    }

    /// The next encoded message; `None` at the end.
    pub fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, EventStreamError>>> {
        self.messages.as_mut().poll_next(cx)
    }
}

struct Encoded<T>(BoxEvents<T>);

impl<T: EventEncode> futures_core::Stream for Encoded<T> {
    type Item = Result<Bytes, EventStreamError>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.0.as_mut().poll_next(cx) {
            Poll::Ready(Some(event)) => Poll::Ready(Some(event.to_message().map(|m| Bytes::from(m.encode())))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Text {
        text: String,
    }

    enum Ev {
        Text(Text),
        Audio(Option<Blob>),
    }

    impl EventEncode for Ev {
        fn to_message(&self) -> Result<Message, EventStreamError> {
            match self {
                Ev::Text(t) => Message::json_event("Text", t),
                Ev::Audio(b) => Ok(Message::blob_event("Audio", b.as_ref())),
            }
        }
    }

    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }

    fn next(body: &mut EventBody) -> Option<Result<Bytes, EventStreamError>> {
        let waker = std::task::Waker::from(Arc::new(Noop));
        match body.poll_message(&mut Context::from_waker(&waker)) {
            Poll::Ready(m) => m,
            Poll::Pending => panic!("an in-memory stream is never pending"),
        }
    }

    #[test]
    fn events_encode_as_messages_and_the_stream_is_read_once() {
        let sender = EventSender::from_events(vec![
            Ev::Text(Text { text: "hi".into() }),
            Ev::Audio(Some(Blob::from("\u{1}\u{2}"))),
        ]);
        let copy = sender.clone();
        let mut body = EventBody::take(Some(&sender)).unwrap();
        assert!(EventBody::take(Some(&copy)).is_none(), "clones share one stream, read once");
        let mut buf = bytes::BytesMut::from(&next(&mut body).unwrap().unwrap()[..]);
        let m = super::super::decode_message(&mut buf).unwrap().unwrap();
        assert_eq!(m.header_str(":event-type"), Some("Text"));
        assert_eq!(m.header_str(":message-type"), Some("event"));
        assert_eq!(m.header_str(":content-type"), Some("application/json"));
        assert_eq!(&m.payload[..], br#"{"text":"hi"}"#);
        let mut buf = bytes::BytesMut::from(&next(&mut body).unwrap().unwrap()[..]);
        let m = super::super::decode_message(&mut buf).unwrap().unwrap();
        assert_eq!(m.header_str(":content-type"), Some("application/octet-stream"));
        assert_eq!(&m.payload[..], b"\x01\x02");
        assert!(next(&mut body).is_none());
    }

    #[tokio::test]
    async fn a_channel_sends_until_every_tx_is_dropped() {
        let (sender, tx) = EventSender::channel(1);
        let mut body = EventBody::take(Some(&sender)).unwrap();
        let pushing = tokio::spawn(async move {
            tx.send(Ev::Text(Text { text: "a".into() })).await.unwrap();
            tx.send(Ev::Text(Text { text: "b".into() })).await.unwrap();
        });
        let mut n = 0;
        while let Some(m) = std::future::poll_fn(|cx| body.poll_message(cx)).await {
            m.unwrap();
            n += 1;
        }
        pushing.await.unwrap();
        assert_eq!(n, 2);
        // Once the body is gone, sending fails instead of blocking.
        let (sender, tx) = EventSender::<Ev>::channel(1);
        drop(EventBody::take(Some(&sender)));
        drop(sender);
        assert_eq!(tx.send(Ev::Audio(None)).await, Err(EventStreamError::Closed));
    }
}
