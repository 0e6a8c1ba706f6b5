//! A tiny HTTP/1.1 server on 127.0.0.1 for tests: fake IMDS and container endpoints, and a fault
//! server (errors, resets, truncated and slow responses). Each connection serves one request.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What to do with a request.
pub enum Reply {
    /// Status, headers, body.
    Normal(u16, Vec<(String, String)>, String),
    /// Close the connection without answering.
    Reset,
    /// Announce a longer body than is sent, then close.
    Truncated(u16, String),
    /// Wait, then answer.
    Slow(Duration, u16, String),
}

pub fn ok(body: &str) -> Reply {
    Reply::Normal(200, vec![], body.to_string())
}

pub fn status(code: u16, body: &str) -> Reply {
    Reply::Normal(code, vec![], body.to_string())
}

pub struct Server {
    pub url: String,
    pub hits: Arc<AtomicUsize>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Starts a server answering with `handler(n, request)` (n counts from 0).
pub async fn serve(handler: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handler = Arc::new(handler);
    let (h, s) = (hits.clone(), seen.clone());
    let task = tokio::spawn(async move {
        // Bounded: a test server never serves more than this many connections.
        for _ in 0..2000 {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let (handler, hits, seen) = (handler.clone(), h.clone(), s.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    match tokio::time::timeout(Duration::from_secs(5), sock.read(&mut chunk)).await {
                        Ok(Ok(0)) | Err(_) | Ok(Err(_)) => return,
                        Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
                    }
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or_default().split(' ');
                let method = first.next().unwrap_or_default().to_string();
                let path = first.next().unwrap_or_default().to_string();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect();
                // Read (and ignore) a body announced by Content-Length.
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + 4 + len {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let body_end = (head_end + 4 + len).min(buf.len());
                let body = String::from_utf8_lossy(&buf[head_end + 4..body_end]).into_owned();
                let req = Seen { method, path, headers, body };
                seen.lock().unwrap().push(req.clone());
                let n = hits.fetch_add(1, Ordering::SeqCst);
                let write = |status: u16, headers: &[(String, String)], body: &str, announced: usize| {
                    let mut out =
                        format!("HTTP/1.1 {status} X\r\ncontent-length: {announced}\r\nconnection: close\r\n");
                    for (k, v) in headers {
                        out.push_str(&format!("{k}: {v}\r\n"));
                    }
                    out.push_str("\r\n");
                    out.push_str(body);
                    out
                };
                let out = match handler(n, &req) {
                    Reply::Normal(status, headers, body) => write(status, &headers, &body, body.len()),
                    Reply::Reset => return,
                    Reply::Truncated(status, body) => write(status, &[], &body, body.len() + 100),
                    Reply::Slow(wait, status, body) => {
                        tokio::time::sleep(wait).await;
                        write(status, &[], &body, body.len())
                    }
                };
                let _ = sock.write_all(out.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Server { url, hits, seen, task }
}
