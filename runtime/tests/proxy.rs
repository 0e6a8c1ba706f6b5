//! Proxies and trust roots of the default client, against servers on 127.0.0.1: a recording HTTP
//! proxy (forwarding and `CONNECT`), a plain origin, and a TLS origin whose certificate is signed by
//! the test CA of `tests/data/tls`.

mod common;

use bytes::Bytes;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stratus_runtime::env::Env;
use stratus_runtime::http::{HttpClient, HttpError, HttpErrorKind, HttpSettings, HyperClient, ProxyConfig, TrustRoots};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CA: &[u8] = include_bytes!("data/tls/ca.pem");
const SERVER_CERT: &[u8] = include_bytes!("data/tls/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("data/tls/server.key");

const PASSWORD: &str = "pr0xy-s3cret";

fn env(vars: &[(&str, String)]) -> Env {
    Env::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.clone())))
}

fn client(proxy: ProxyConfig, ca_bundle: Option<&[u8]>) -> HyperClient {
    HyperClient::new(HttpSettings {
        proxy,
        ca_bundle: ca_bundle.map(<[u8]>::to_vec),
        connect_timeout: Duration::from_secs(5),
        ..HttpSettings::default()
    })
    .unwrap()
}

async fn get(client: &HyperClient, url: &str) -> Result<(u16, String), HttpError> {
    let response = client.call(http::Request::get(url).body(Bytes::new()).unwrap()).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// What the proxy received on one connection: the request line and the header lines.
#[derive(Clone, Debug)]
struct Received {
    line: String,
    headers: Vec<String>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// How the proxy answers `CONNECT`.
#[derive(Clone, Copy)]
enum OnConnect {
    /// `200`, then relay bytes to the target.
    Tunnel,
    /// `407 Proxy Authentication Required`, then close.
    Refuse,
}

struct Proxy {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Reads a request head (up to the blank line); `None` on a closed or silent connection.
async fn read_head(sock: &mut TcpStream) -> Option<(Received, usize)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte, so that nothing after the head (a TLS ClientHello in a tunnel) is consumed.
    while !buf.ends_with(b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_secs(5), sock.read(&mut byte)).await {
            Ok(Ok(1)) => buf.push(byte[0]),
            _ => return None,
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let line = lines.next()?.to_string();
    let headers: Vec<String> = lines.map(str::to_string).collect();
    let received = Received { line, headers };
    let length = received.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    Some((received, length))
}

/// A proxy on 127.0.0.1 that records what it receives. A forwarded request (absolute form) is
/// answered by the proxy itself with `proxied <request line>`; `CONNECT` as `on_connect` says.
async fn start_proxy(on_connect: OnConnect) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    let task = tokio::spawn(async move {
        for _ in 0..100 {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let log = log.clone();
            tokio::spawn(async move {
                let Some((req, length)) = read_head(&mut sock).await else { return };
                log.lock().unwrap().push(req.clone());
                if let Some(target) = req.line.strip_prefix("CONNECT ") {
                    let target = target.split(' ').next().unwrap_or_default().to_string();
                    match on_connect {
                        OnConnect::Refuse => {
                            let _ = sock
                                .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n")
                                .await;
                        }
                        OnConnect::Tunnel => {
                            // Every target resolves to this machine, as a DNS server would for the test.
                            let port = target.rsplit(':').next().unwrap_or_default();
                            let Ok(mut upstream) = TcpStream::connect(format!("127.0.0.1:{port}")).await else {
                                let _ = sock.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                                return;
                            };
                            let _ = sock.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await;
                            let _ = tokio::io::copy_bidirectional(&mut sock, &mut upstream).await;
                        }
                    }
                    return;
                }
                let mut body = vec![0u8; length];
                let _ = sock.read_exact(&mut body).await;
                let reply = format!("proxied {}", req.line);
                let out =
                    format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}", reply.len());
                let _ = sock.write_all(out.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Proxy { url, received, task }
}

/// A TLS server on 127.0.0.1 with the test certificate (`localhost`, `127.0.0.1`), answering every
/// request with `secured`; it records each request's head. Runs on a thread with blocking rustls.
struct TlsOrigin {
    port: u16,
    heads: Arc<Mutex<Vec<String>>>,
}

fn start_tls_origin() -> TlsOrigin {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(SERVER_CERT).collect::<Result<_, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let log = heads.clone();
    std::thread::spawn(move || {
        for sock in listener.incoming().take(20) {
            let Ok(sock) = sock else { return };
            let _ = sock.set_read_timeout(Some(Duration::from_secs(5)));
            let Ok(conn) = rustls::ServerConnection::new(config.clone()) else { return };
            let mut tls = rustls::StreamOwned::new(conn, sock);
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            // A failed handshake (an untrusting client) ends here.
            while !head.ends_with(b"\r\n\r\n") {
                match tls.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            if !head.ends_with(b"\r\n\r\n") {
                continue;
            }
            log.lock().unwrap().push(String::from_utf8_lossy(&head).into_owned());
            let _ = tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 7\r\nconnection: close\r\n\r\nsecured");
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    TlsOrigin { port, heads }
}

#[tokio::test]
async fn plain_http_is_sent_to_the_proxy_in_absolute_form_with_credentials() {
    let proxy = start_proxy(OnConnect::Refuse).await;
    // Lower-case variable; `@` in the user name and `:` in the password percent-encoded.
    let vars = [("http_proxy", format!("http://us%40er:{PASSWORD}%3Ax@{}", proxy.url))];
    let config = ProxyConfig::from_env(&env(&vars)).unwrap();
    let client = client(config, None);
    let (status, body) = get(&client, "http://service.example:8080/a/b?c=d").await.unwrap();
    assert_eq!((status, body.as_str()), (200, "proxied GET http://service.example:8080/a/b?c=d HTTP/1.1"));
    let seen = proxy.received();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("host"), Some("service.example:8080"));
    let expected = format!("Basic {}", base64_encode(format!("us@er:{PASSWORD}:x").as_bytes()));
    assert_eq!(seen[0].header("proxy-authorization"), Some(expected.as_str()));
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_tls_to_the_real_host() {
    let origin = start_tls_origin();
    let proxy = start_proxy(OnConnect::Tunnel).await;
    let vars = [("HTTPS_PROXY", format!("http://user:{PASSWORD}@{}", proxy.url))];
    let client = client(ProxyConfig::from_env(&env(&vars)).unwrap(), Some(CA));
    let url = format!("https://localhost:{}/secure?x=1", origin.port);
    let (status, body) = get(&client, &url).await.unwrap();
    assert_eq!((status, body.as_str()), (200, "secured"));
    let seen = proxy.received();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].line, format!("CONNECT localhost:{} HTTP/1.1", origin.port));
    assert_eq!(seen[0].header("host"), Some(format!("localhost:{}", origin.port).as_str()));
    let expected = format!("Basic {}", base64_encode(format!("user:{PASSWORD}").as_bytes()));
    assert_eq!(seen[0].header("proxy-authorization"), Some(expected.as_str()));
    // The request itself reached the origin inside the tunnel, in origin form, without the
    // proxy's credentials.
    let heads = origin.heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 1);
    assert!(heads[0].starts_with("GET /secure?x=1 HTTP/1.1\r\n"), "{}", heads[0]);
    assert!(!heads[0].to_ascii_lowercase().contains("proxy-authorization"), "{}", heads[0]);
}

#[tokio::test]
async fn a_refused_tunnel_is_a_clear_error_without_the_password() {
    let proxy = start_proxy(OnConnect::Refuse).await;
    let vars = [("https_proxy", format!("http://user:{PASSWORD}@{}", proxy.url))];
    let client = client(ProxyConfig::from_env(&env(&vars)).unwrap(), None);
    let err = get(&client, "https://sts.amazonaws.com/").await.unwrap_err();
    let text = err.to_string();
    assert_eq!(err.kind, HttpErrorKind::Connect, "{text}");
    assert!(text.contains(&format!("through the proxy http://***@{}", proxy.url)), "{text}");
    assert!(text.contains("requires authentication (HTTP/1.1 407 Proxy Authentication Required)"), "{text}");
    assert!(!text.contains(PASSWORD) && !format!("{err:?}").contains(PASSWORD), "{text}");
    assert_eq!(proxy.received()[0].line, "CONNECT sts.amazonaws.com:443 HTTP/1.1");
}

/// A streamed body of one chunk.
struct OneChunk(Option<Bytes>);

impl futures_core::Stream for OneChunk {
    type Item = Result<Bytes, HttpError>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.get_mut().0.take().map(Ok))
    }
}

#[tokio::test]
async fn streamed_requests_use_the_proxy_too() {
    let proxy = start_proxy(OnConnect::Refuse).await;
    let vars = [("HTTP_PROXY", format!("http://user:{PASSWORD}@{}", proxy.url))];
    let client = client(ProxyConfig::from_env(&env(&vars)).unwrap(), None);
    let body: stratus_runtime::http::RequestStream = Box::pin(OneChunk(Some(Bytes::from_static(b"event"))));
    let request = http::Request::post("http://events.example/stream").body(body).unwrap();
    let result = client.call_streaming(request).await;
    let seen = proxy.received();
    if cfg!(feature = "http2") {
        // HTTP/2 with prior knowledge cannot be forwarded: it goes through a tunnel.
        let err = result.unwrap_err();
        assert!(err.to_string().contains("requires authentication") && !err.to_string().contains(PASSWORD), "{err}");
        assert_eq!(seen[0].line, "CONNECT events.example:80 HTTP/1.1");
    } else {
        assert_eq!(result.unwrap().status(), 200);
        assert_eq!(seen[0].line, "POST http://events.example/stream HTTP/1.1");
        assert!(seen[0].header("proxy-authorization").is_some_and(|v| v.starts_with("Basic ")));
    }
}

#[tokio::test]
async fn no_proxy_hosts_are_reached_directly_and_loopback_is_not_special() {
    let origin = common::serve(|_, _| common::ok("direct")).await;
    let proxy = start_proxy(OnConnect::Refuse).await;
    let port = origin.url.rsplit(':').next().unwrap().to_string();
    // Listed by address: direct.
    let vars = [("HTTP_PROXY", format!("http://{}", proxy.url)), ("no_proxy", "example.com, 127.0.0.0/8".to_string())];
    let direct = client(ProxyConfig::from_env(&env(&vars)).unwrap(), None);
    assert_eq!(get(&direct, &origin.url).await.unwrap().1, "direct");
    // Listed with another port: through the proxy.
    let vars = [("HTTP_PROXY", format!("http://{}", proxy.url)), ("NO_PROXY", "127.0.0.1:1".to_string())];
    let other_port = client(ProxyConfig::from_env(&env(&vars)).unwrap(), None);
    assert!(get(&other_port, &origin.url).await.unwrap().1.starts_with("proxied GET"));
    // `localhost` listed, `127.0.0.1` asked for: through the proxy.
    let vars = [("HTTP_PROXY", format!("http://{}", proxy.url)), ("NO_PROXY", "localhost".to_string())];
    let loopback = client(ProxyConfig::from_env(&env(&vars)).unwrap(), None);
    let (_, body) = get(&loopback, &format!("http://127.0.0.1:{port}/x")).await.unwrap();
    assert_eq!(body, format!("proxied GET http://127.0.0.1:{port}/x HTTP/1.1"));
    // `localhost` listed and asked for: direct.
    assert_eq!(get(&loopback, &format!("http://localhost:{port}/")).await.unwrap().1, "direct");
    assert_eq!(origin.hits(), 2);
    assert_eq!(proxy.received().len(), 2);
}

#[tokio::test]
async fn an_unreachable_proxy_is_named_without_the_password() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let proxy = ProxyConfig::all(&format!("http://user:{PASSWORD}@{addr}")).unwrap();
    assert_eq!(proxy.proxy_for(&"https://x.example/".parse().unwrap()), Some(format!("http://***@{addr}").as_str()));
    let settings = HttpSettings { proxy, ..HttpSettings::default() };
    let client = HyperClient::new(settings.clone()).unwrap();
    for shown in [format!("{settings:?}"), format!("{client:?}"), format!("{:?}", settings.proxy)] {
        assert!(shown.contains(&format!("http://***@{addr}")) && !shown.contains(PASSWORD), "{shown}");
    }
    for url in ["http://x.example/", "https://x.example/"] {
        let err = get(&client, url).await.unwrap_err();
        let text = err.to_string();
        assert_eq!(err.kind, HttpErrorKind::Connect, "{text}");
        assert!(text.contains(&format!("connecting to the proxy http://***@{addr}")), "{text}");
        assert!(!text.contains(PASSWORD) && !format!("{err:?}").contains(PASSWORD), "{text}");
    }
}

#[tokio::test]
async fn invalid_proxy_variables_are_errors_naming_the_variable() {
    for (name, value) in [
        ("HTTPS_PROXY", format!("http://user:{PASSWORD}@proxy:notaport")),
        ("http_proxy", format!("socks5://user:{PASSWORD}@proxy:1080")),
    ] {
        let err = ProxyConfig::from_env(&env(&[(name, value)])).unwrap_err();
        let text = err.to_string();
        assert_eq!(err.kind, HttpErrorKind::Config);
        assert!(text.starts_with(&format!("invalid HTTP settings: {name}: `")), "{text}");
        assert!(text.contains("***@proxy:") && !text.contains(PASSWORD), "{text}");
    }
}

#[tokio::test]
async fn the_ca_bundle_decides_which_servers_are_trusted() {
    let origin = start_tls_origin();
    // By name and by address: the certificate names both.
    for host in ["localhost", "127.0.0.1"] {
        let url = format!("https://{host}:{}/", origin.port);
        let trusting = client(ProxyConfig::none(), Some(CA));
        assert_eq!(get(&trusting, &url).await.unwrap(), (200, "secured".to_string()));
        // The compiled-in roots do not include the test CA.
        let err = get(&client(ProxyConfig::none(), None), &url).await.unwrap_err();
        assert_eq!(err.kind, HttpErrorKind::Connect, "{err}");
        assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    }
    // The server's own certificate is not a CA: a bundle of it does not make the chain valid.
    let err = get(&client(ProxyConfig::none(), Some(SERVER_CERT)), &format!("https://localhost:{}/", origin.port))
        .await
        .unwrap_err();
    assert_eq!(err.kind, HttpErrorKind::Connect, "{err}");
}

#[test]
fn unusable_ca_bundles_are_clear_errors() {
    let garbage_der = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
    let bad_base64 = "-----BEGIN CERTIFICATE-----\n!!!notbase64!!!\n-----END CERTIFICATE-----\n";
    let cases: [(&[u8], &str); 5] = [
        (b"", "no certificate found"),
        (b"this is not PEM at all", "no certificate found"),
        (SERVER_KEY, "no certificate found"),
        (garbage_der.as_bytes(), "certificate 1 is not a usable CA certificate"),
        (bad_base64.as_bytes(), "certificate 1 is not valid PEM"),
    ];
    for (bundle, expected) in cases {
        let err =
            HyperClient::new(HttpSettings { ca_bundle: Some(bundle.to_vec()), ..HttpSettings::default() }).unwrap_err();
        assert_eq!(err.kind, HttpErrorKind::Config);
        assert!(err.to_string().starts_with("invalid HTTP settings: CA bundle: "), "{err}");
        assert!(err.to_string().contains(expected), "{err} (expected {expected})");
    }
    // The second certificate is bad: named by its position.
    let mut two = CA.to_vec();
    two.extend_from_slice(garbage_der.as_bytes());
    let err = HyperClient::new(HttpSettings { ca_bundle: Some(two), ..HttpSettings::default() }).unwrap_err();
    assert!(err.to_string().contains("certificate 2 is not a usable CA certificate"), "{err}");
    // Debug shows the size of the bundle, not its contents.
    let settings = HttpSettings { ca_bundle: Some(CA.to_vec()), ..HttpSettings::default() };
    assert!(format!("{settings:?}").contains(&format!("{} bytes of PEM", CA.len())));
}

#[test]
fn native_roots_need_their_feature() {
    let result = HyperClient::new(HttpSettings { trust_roots: TrustRoots::Native, ..HttpSettings::default() });
    if cfg!(feature = "native-roots") {
        // The store of the machine running the tests: usable, or a clear error about it.
        if let Err(e) = result {
            assert!(e.to_string().contains("operating system's certificate store"), "{e}");
        }
    } else {
        let e = result.unwrap_err();
        assert_eq!(e.kind, HttpErrorKind::Config);
        assert!(e.to_string().contains("`native-roots` feature"), "{e}");
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
