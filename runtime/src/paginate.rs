//! Paginators: a list operation as a stream of pages, or of the items in them.
//!
//! A generated list input implements [`Paginated`] (how to set the next token and read it from a
//! page) and, when its pages hold one kind of item, [`PaginatedItems`] (how to take a page's items:
//! the elements of a list, or the entries of a map as `(key, value)`). A paginator whose pages hold
//! several lists of different types offers [`pages()`](Paginator::pages) only. [`Paginator`] repeats
//! the call while the service returns a token, and stops when it returns none or an empty one. A
//! token the service already returned is an error, not an endless loop. Tokens are usually
//! strings, but any value of the model can be one (DynamoDB's `LastEvaluatedKey` is a map of
//! attribute values): they are compared and tested for emptiness by their JSON form.

use crate::error::{Error, ErrorKind, RawResponse, ResponseError};
use crate::operation::{Dispatch, Operation};
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A paginated operation (implemented by its generated input).
pub trait Paginated: Operation + Clone {
    /// The type of the token (`String`, or a structured value).
    type Token: serde::Serialize + Clone + Send + 'static;
    /// Sets the input token for the next request.
    fn set_token(&mut self, token: Option<Self::Token>);
    /// The token of the next page, if any.
    fn next_token(page: &Self::Output) -> Option<Self::Token>;
}

/// A token's JSON form, for comparing tokens; `None` when it is empty (no next page).
fn token_key<T: serde::Serialize>(token: &T) -> Option<String> {
    match serde_json::to_value(token) {
        Ok(serde_json::Value::Null) => None,
        Ok(serde_json::Value::String(s)) if s.is_empty() => None,
        Ok(serde_json::Value::Object(m)) if m.is_empty() => None,
        // Several tokens travel as a tuple: there is a next page while any of them is set.
        Ok(serde_json::Value::Array(a)) if a.iter().all(serde_json::Value::is_null) => None,
        // Object keys are sorted (serde_json's map), so equal tokens give equal text.
        Ok(v) => Some(v.to_string()),
        Err(_) => None,
    }
}

/// A paginated operation whose pages hold one kind of item (implemented by its generated input).
pub trait PaginatedItems: Paginated {
    /// The type of the items of a page.
    type Item: Send + 'static;
    /// Takes the items out of a page.
    fn items(page: Self::Output) -> Vec<Self::Item>;
}

type Call<'a, I> =
    Pin<Box<dyn Future<Output = Result<<I as Operation>::Output, Error<<I as Operation>::Error>>> + Send + 'a>>;

/// The result of one call of `I`.
pub type PageResult<I> = Result<<I as Operation>::Output, Error<<I as Operation>::Error>>;

/// The result of one item of `I`'s pages.
pub type ItemResult<I> = Result<<I as PaginatedItems>::Item, Error<<I as Operation>::Error>>;

/// Pages of a paginated operation (see [`Paginator::pages`] and [`Paginator::items`]).
pub struct Paginator<C, I> {
    ctx: C,
    input: I,
}

impl<C, I> Paginator<C, I> {
    /// A paginator sending `input` (and its follow-ups) through `ctx`.
    pub fn new(ctx: C, input: I) -> Self {
        Paginator { ctx, input }
    }
}

impl<'a, C, I> Paginator<C, I>
where
    I: Paginated,
    C: Dispatch<I, Output = Result<I::Output, Error<I::Error>>> + Clone + Send + 'a,
{
    /// A stream of pages (`futures_core::Stream<Item = Result<Output, Error>>`).
    pub fn pages(self) -> Pages<'a, C, I> {
        Pages { ctx: self.ctx, next: Some(self.input), seen: HashSet::new(), pending: None, failed: None }
    }

    /// A stream of the items of every page, in order.
    pub fn items(self) -> Items<'a, C, I>
    where
        I: PaginatedItems,
    {
        Items { pages: self.pages(), buffer: VecDeque::new() }
    }
}

/// The stream of pages.
pub struct Pages<'a, C, I: Operation> {
    ctx: C,
    next: Option<I>,
    seen: HashSet<String>,
    pending: Option<Call<'a, I>>,
    failed: Option<Error<I::Error>>,
}

impl<C, I: Operation> Unpin for Pages<'_, C, I> {}

impl<'a, C, I> Pages<'a, C, I>
where
    I: Paginated,
    C: Dispatch<I, Output = Result<I::Output, Error<I::Error>>> + Clone + Send + 'a,
{
    /// The next page; `None` after the last.
    pub async fn next_page(&mut self) -> Option<PageResult<I>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_page(cx)).await
    }

    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<PageResult<I>>> {
        if let Some(e) = self.failed.take() {
            return Poll::Ready(Some(Err(e)));
        }
        if self.pending.is_none() {
            let Some(input) = self.next.take() else { return Poll::Ready(None) };
            let ctx = self.ctx.clone();
            // Keep the input: the next request is this one with the next token.
            self.next = Some(input.clone());
            self.pending = Some(Box::pin(ctx.dispatch(input)));
        }
        let Some(fut) = self.pending.as_mut() else { return Poll::Ready(None) };
        match fut.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                self.pending = None;
                match &result {
                    Ok(page) => self.after_page(page),
                    Err(_) => self.next = None,
                }
                Poll::Ready(Some(result))
            }
        }
    }

    fn after_page(&mut self, page: &I::Output) {
        let Some(mut input) = self.next.take() else { return };
        let Some(token) = I::next_token(page) else { return };
        match token_key(&token) {
            None => {}
            Some(key) if !self.seen.insert(key.clone()) => {
                self.failed = Some(Error::new(
                    I::SPEC.name,
                    ErrorKind::Response(ResponseError {
                        message: format!("the service returned the pagination token {key} twice; stopping"),
                        raw: Box::new(RawResponse {
                            status: 200,
                            headers: http::HeaderMap::new(),
                            body: bytes::Bytes::new(),
                        }),
                    }),
                ));
            }
            Some(_) => {
                input.set_token(Some(token));
                self.next = Some(input);
            }
        }
    }
}

impl<'a, C, I> futures_core::Stream for Pages<'a, C, I>
where
    I: Paginated,
    C: Dispatch<I, Output = Result<I::Output, Error<I::Error>>> + Clone + Send + 'a,
{
    type Item = Result<I::Output, Error<I::Error>>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_page(cx)
    }
}

/// The stream of items.
pub struct Items<'a, C, I: PaginatedItems> {
    pages: Pages<'a, C, I>,
    buffer: VecDeque<I::Item>,
}

impl<C, I: PaginatedItems> Unpin for Items<'_, C, I> {}

impl<'a, C, I> Items<'a, C, I>
where
    I: PaginatedItems,
    C: Dispatch<I, Output = Result<I::Output, Error<I::Error>>> + Clone + Send + 'a,
{
    /// The next item; `None` after the last.
    pub async fn next_item(&mut self) -> Option<ItemResult<I>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_item(cx)).await
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<ItemResult<I>>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.pages.poll_page(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => self.buffer.extend(I::items(page)),
            }
        }
    }
}

impl<'a, C, I> futures_core::Stream for Items<'a, C, I>
where
    I: PaginatedItems,
    C: Dispatch<I, Output = Result<I::Output, Error<I::Error>>> + Clone + Send + 'a,
{
    type Item = Result<I::Item, Error<I::Error>>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}
