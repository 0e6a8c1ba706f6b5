//! Waiters: poll an operation until an acceptor of the model matches.
//!
//! Generated waiters compile their acceptors (JMESPath over the typed output, HTTP status, error
//! code) into a function that classifies each result; [`wait`] does the polling: the model's delay is
//! the shortest wait, later waits grow exponentially (with jitter) up to `max_delay`, and no wait is
//! started that would end past `max_wait`.
//!
//! [`Jm`] is the small value model the compiled JMESPath expressions compute with.

use crate::error::Error;
use std::fmt;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// What a matching acceptor means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcceptorState {
    /// Done, successfully.
    Success,
    /// Done: the resource reached a failure state.
    Failure,
    /// Poll again.
    Retry,
}

/// Timing of a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitOptions {
    /// The shortest wait between polls (the model's `delay`).
    pub min_delay: Duration,
    /// The longest wait between polls.
    pub max_delay: Duration,
    /// The longest the whole wait may take.
    pub max_wait: Duration,
}

/// A successful wait.
#[derive(Debug)]
pub struct Waited<T> {
    /// The last result (the output, or the error an error acceptor matched).
    pub result: T,
    /// Index of the acceptor that matched, in the model's order.
    pub acceptor: usize,
    /// Polls made.
    pub attempts: u32,
    /// Time spent.
    pub elapsed: Duration,
}

/// Why a wait ended without success.
#[derive(Debug)]
pub enum WaitError<T, E> {
    /// A failure acceptor matched.
    Failure {
        /// The waiter.
        waiter: &'static str,
        /// Index of the acceptor.
        acceptor: usize,
        /// The result it matched.
        last: Result<T, Error<E>>,
        /// Polls made.
        attempts: u32,
    },
    /// `max_wait` would have been exceeded.
    Timeout {
        /// The waiter.
        waiter: &'static str,
        /// The last result.
        last: Option<Result<T, Error<E>>>,
        /// Polls made.
        attempts: u32,
        /// Time spent.
        elapsed: Duration,
    },
    /// The operation failed with an error no acceptor matched.
    Operation(Error<E>),
}

impl<T, E> fmt::Display for WaitError<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Failure { waiter, acceptor, attempts, .. } => {
                write!(f, "waiter {waiter}: failure acceptor {acceptor} matched after {attempts} polls")
            }
            WaitError::Timeout { waiter, attempts, elapsed, .. } => {
                write!(f, "waiter {waiter}: gave up after {attempts} polls in {} ms", elapsed.as_millis())
            }
            WaitError::Operation(e) => write!(f, "waiter stopped by an unexpected error: {e}"),
        }
    }
}

impl<T: fmt::Debug, E: fmt::Debug + fmt::Display + 'static> std::error::Error for WaitError<T, E> {}

/// Polls `attempt` until `classify` reports success or failure, an unmatched error occurs, or
/// `max_wait` would be exceeded. `classify` returns the matching acceptor's index and state.
pub async fn wait<T, E, F, Fut, C>(
    waiter: &'static str,
    options: WaitOptions,
    mut attempt: F,
    classify: C,
) -> Result<Waited<Result<T, Error<E>>>, WaitError<T, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error<E>>>,
    C: Fn(&Result<T, Error<E>>) -> Option<(usize, AcceptorState)>,
{
    let start = Instant::now();
    let min = options.min_delay.max(Duration::from_millis(1));
    let max = options.max_delay.max(min);
    let mut attempts = 0u32;
    let mut seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(7, |d| d.as_nanos() as u64) | 1;
    loop {
        // A poll in flight is bounded by what is left of `max_wait` too.
        let left = options.max_wait.saturating_sub(start.elapsed());
        let result = match tokio::time::timeout(left, attempt()).await {
            Ok(result) => result,
            Err(_) => {
                return Err(WaitError::Timeout { waiter, last: None, attempts: attempts + 1, elapsed: start.elapsed() })
            }
        };
        attempts += 1;
        match classify(&result) {
            Some((acceptor, AcceptorState::Success)) => {
                return Ok(Waited { result, acceptor, attempts, elapsed: start.elapsed() });
            }
            Some((acceptor, AcceptorState::Failure)) => {
                return Err(WaitError::Failure { waiter, acceptor, last: result, attempts });
            }
            Some((_, AcceptorState::Retry)) => {}
            None => {
                if let Err(e) = result {
                    return Err(WaitError::Operation(e));
                }
            }
        }
        // Exponential growth from the model's delay, with jitter, capped.
        let ceiling = min.saturating_mul(1u32 << (attempts - 1).min(16)).min(max);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let fraction = (seed >> 11) as f64 / (1u64 << 53) as f64;
        let delay = min + (ceiling - min).mul_f64(fraction);
        let elapsed = start.elapsed();
        if elapsed + delay > options.max_wait {
            return Err(WaitError::Timeout { waiter, last: Some(result), attempts, elapsed });
        }
        tokio::time::sleep(delay).await;
    }
}

/// A waiter of an operation with input `I`: its name, its shortest delay and its acceptors
/// (generated, one zero-sized type per waiter).
pub trait Waiter<I: crate::operation::Operation> {
    /// The model's name of the waiter.
    const NAME: &'static str;
    /// The model's delay: the shortest wait between polls.
    const MIN_DELAY: Duration;
    /// The acceptor matching `result`, in the model's order: its index and state.
    fn classify(result: &Result<I::Output, Error<I::Error>>) -> Option<(usize, AcceptorState)>;
}

/// The context of a waiter's builder: the client to poll through, and which waiter.
pub struct WaiterCtx<C, W> {
    client: C,
    waiter: std::marker::PhantomData<W>,
}

impl<C, W> WaiterCtx<C, W> {
    /// A waiter polling through `client`.
    pub fn new(client: C) -> Self {
        WaiterCtx { client, waiter: std::marker::PhantomData }
    }
}

impl<C: Clone, W> Clone for WaiterCtx<C, W> {
    fn clone(&self) -> Self {
        WaiterCtx::new(self.client.clone())
    }
}

impl<C: fmt::Debug, W> fmt::Debug for WaiterCtx<C, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WaiterCtx({:?}, {})", self.client, std::any::type_name::<W>())
    }
}

impl WaitOptions {
    /// Timing from the model's delay, backing off up to 120 s, bounded by `max_wait`.
    pub fn new(min_delay: Duration, max_wait: Duration) -> Self {
        WaitOptions { min_delay, max_delay: Duration::from_secs(120), max_wait }
    }
}

/// The result of a waiter of an operation with input `I`.
pub type WaitResult<I> = Result<
    Waited<Result<<I as crate::operation::Operation>::Output, Error<<I as crate::operation::Operation>::Error>>>,
    WaitError<<I as crate::operation::Operation>::Output, <I as crate::operation::Operation>::Error>,
>;

/// Runs waiter `W` on `input` (what the builders' `wait()` does).
pub async fn run<I, C, W>(ctx: WaiterCtx<C, W>, input: I, options: WaitOptions) -> WaitResult<I>
where
    I: crate::operation::Operation + Clone,
    C: crate::operation::Dispatch<I, Output = Result<I::Output, Error<I::Error>>> + Clone,
    W: Waiter<I>,
{
    wait(W::NAME, options, || ctx.client.clone().dispatch(input.clone()), W::classify).await
}

/// What a waiter's builder polls through: implemented by [`WaiterCtx`], so that a generated
/// builder's `wait()` needs one bound, and the waiter's delay and polling stay here.
pub trait Wait<I: crate::operation::Operation> {
    /// The model's delay: the shortest wait between polls.
    const MIN_DELAY: Duration;

    /// Polls with `input` until an acceptor matches or `options.max_wait` runs out (see [`run`]).
    fn wait(self, input: I, options: WaitOptions) -> impl Future<Output = WaitResult<I>>;
}

impl<I, C, W> Wait<I> for WaiterCtx<C, W>
where
    I: crate::operation::Operation + Clone,
    C: crate::operation::Dispatch<I, Output = Result<I::Output, Error<I::Error>>> + Clone,
    W: Waiter<I>,
{
    const MIN_DELAY: Duration = W::MIN_DELAY;

    fn wait(self, input: I, options: WaitOptions) -> impl Future<Output = WaitResult<I>> {
        run(self, input, options)
    }
}

/// The HTTP status of a result: the operation's success status, or the error response's.
pub fn status_of<T, E>(result: &Result<T, Error<E>>, success: u16) -> Option<u16> {
    match result {
        Ok(_) => Some(success),
        Err(e) => e.raw_response().map(|r| r.status),
    }
}

/// A JMESPath value, as compiled waiter expressions compute them.
#[derive(Clone, Debug, PartialEq)]
pub enum Jm {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Num(f64),
    /// A string.
    Str(String),
    /// An array.
    List(Vec<Jm>),
    /// An object (a structure; only its presence matters to the supported functions).
    Object,
}

/// Conversion of typed output values into [`Jm`].
pub trait ToJm {
    /// The value.
    fn to_jm(&self) -> Jm;
}

impl ToJm for String {
    fn to_jm(&self) -> Jm {
        Jm::Str(self.clone())
    }
}

impl ToJm for bool {
    fn to_jm(&self) -> Jm {
        Jm::Bool(*self)
    }
}

macro_rules! num_jm {
    ($($t:ty),*) => {$(
        impl ToJm for $t {
            fn to_jm(&self) -> Jm {
                Jm::Num(*self as f64)
            }
        }
    )*};
}
num_jm!(i8, i16, i32, i64, f32, f64);

impl<T: ToJm> ToJm for Option<T> {
    fn to_jm(&self) -> Jm {
        self.as_ref().map_or(Jm::Null, ToJm::to_jm)
    }
}

impl<T: ToJm> ToJm for Vec<T> {
    fn to_jm(&self) -> Jm {
        Jm::List(self.iter().map(ToJm::to_jm).collect())
    }
}

impl<T: ToJm> ToJm for Box<T> {
    fn to_jm(&self) -> Jm {
        (**self).to_jm()
    }
}

impl<T: ToJm + ?Sized> ToJm for &T {
    fn to_jm(&self) -> Jm {
        (**self).to_jm()
    }
}

impl Jm {
    /// JMESPath truthiness: false, null, empty strings and arrays are false.
    pub fn truthy(&self) -> bool {
        match self {
            Jm::Null => false,
            Jm::Bool(b) => *b,
            Jm::Str(s) => !s.is_empty(),
            Jm::List(l) => !l.is_empty(),
            Jm::Num(_) | Jm::Object => true,
        }
    }

    /// A projection's result: the non-null values, with list values spliced in when `splice` (a
    /// flattening projection on the right of another).
    pub fn project(values: impl Iterator<Item = Jm>, splice: bool) -> Jm {
        let mut out = Vec::new();
        for v in values {
            match v {
                Jm::Null => {}
                Jm::List(items) if splice => out.extend(items),
                v => out.push(v),
            }
        }
        Jm::List(out)
    }

    /// `length()`.
    pub fn length(&self) -> Jm {
        match self {
            Jm::Str(s) => Jm::Num(s.chars().count() as f64),
            Jm::List(l) => Jm::Num(l.len() as f64),
            _ => Jm::Null,
        }
    }

    /// `contains(self, needle)`.
    pub fn contains(&self, needle: &Jm) -> Jm {
        match (self, needle) {
            (Jm::List(l), n) => Jm::Bool(l.contains(n)),
            (Jm::Str(s), Jm::Str(n)) => Jm::Bool(s.contains(n.as_str())),
            _ => Jm::Null,
        }
    }

    /// A comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`).
    pub fn compare(&self, op: &str, other: &Jm) -> Jm {
        match op {
            "==" => Jm::Bool(self == other),
            "!=" => Jm::Bool(self != other),
            _ => match (self, other) {
                (Jm::Num(a), Jm::Num(b)) => Jm::Bool(match op {
                    "<" => a < b,
                    "<=" => a <= b,
                    ">" => a > b,
                    ">=" => a >= b,
                    _ => false,
                }),
                _ => Jm::Null,
            },
        }
    }

    /// `pathAll`: a non-empty list whose every element equals `expected`.
    pub fn all_equal(&self, expected: &Jm) -> bool {
        matches!(self, Jm::List(l) if !l.is_empty() && l.iter().all(|v| v == expected))
    }

    /// `pathAny`: a list with an element equal to `expected`.
    pub fn any_equal(&self, expected: &Jm) -> bool {
        matches!(self, Jm::List(l) if l.iter().any(|v| v == expected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_behave_like_jmespath() {
        let l = Jm::List(vec![Jm::Str("a".into()), Jm::Str("a".into())]);
        assert!(l.all_equal(&Jm::Str("a".into())));
        assert!(!Jm::List(vec![]).all_equal(&Jm::Str("a".into())));
        assert!(l.any_equal(&Jm::Str("a".into())));
        assert_eq!(l.length(), Jm::Num(2.0));
        assert_eq!(Jm::Num(1.0).compare("<", &Jm::Num(2.0)), Jm::Bool(true));
        assert_eq!(l.contains(&Jm::Str("a".into())), Jm::Bool(true));
        assert!(!Jm::Null.truthy() && !Jm::Str(String::new()).truthy());
        assert_eq!(Jm::project(vec![Jm::Null, Jm::Num(1.0)].into_iter(), false), Jm::List(vec![Jm::Num(1.0)]));
        let nested = vec![Jm::List(vec![Jm::Num(1.0)]), Jm::List(vec![Jm::Num(2.0)])];
        assert_eq!(Jm::project(nested.into_iter(), true), Jm::List(vec![Jm::Num(1.0), Jm::Num(2.0)]));
    }
}
