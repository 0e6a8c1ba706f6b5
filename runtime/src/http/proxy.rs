//! Forward proxies: which requests go through one ([`ProxyConfig`]), and the connector that gets
//! them there.
//!
//! A request to an `http://` URL is sent to the proxy as it is, with the absolute URL as its target
//! (`GET http://host/path HTTP/1.1`); a request to an `https://` URL goes through a tunnel the proxy
//! opens with `CONNECT host:443`, and TLS runs end to end with the real host inside it, so the
//! proxy sees neither the request nor the certificate check. User info in the proxy URL
//! (`http://user:pass@proxy:3128`) becomes a `Proxy-Authorization: Basic` header on the `CONNECT`
//! request, or on the forwarded request for `http://` URLs — never on a request inside a tunnel.

use super::{BoxError, BoxFuture, HttpError, HttpErrorKind};
use crate::env::Env;
use base64::Engine as _;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use std::fmt;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Which requests go through a proxy: one proxy for `http://` URLs, one for `https://` URLs, and
/// the hosts that are reached directly (`NO_PROXY`).
///
/// [`ProxyConfig::none`] (the default) sends everything directly. [`ProxyConfig::from_env`] reads
/// the variables curl, botocore and the AWS CLI read; the constructors set the same things
/// explicitly:
///
/// ```
/// # use stratus_runtime::http::ProxyConfig;
/// # fn main() -> Result<(), stratus_runtime::http::HttpError> {
/// let proxies = ProxyConfig::all("http://proxy.internal:3128")?.with_no_proxy("169.254.169.254,.internal");
/// # Ok(()) }
/// ```
///
/// A proxy URL is `http://[user[:password]@]host[:port]` (the port defaults to 80; without a
/// scheme, `http://` is assumed, as curl and botocore do; percent-encoded user info is decoded).
/// Only proxies reached over plain HTTP are supported: an `https://` or `socks5://` proxy URL is
/// an error. The password is never shown: `Debug`, errors and [`ProxyConfig::proxy_for`] print the
/// URL with its user info replaced by `***`.
///
/// `NO_PROXY` is a comma-separated list of the hosts reached directly, as curl reads it:
///
/// - `*` alone: every host;
/// - a domain name, with or without a leading `.` (or `*.`): that name and every name under it
///   (`example.com` matches `example.com` and `a.example.com`, not `badexample.com`), compared
///   without regard to case;
/// - an IP address, or a network in CIDR form (`10.0.0.0/8`, `fd00::/8`); IPv6 addresses may be
///   written in brackets;
/// - any of these with `:port`: only that port (`example.com:8443`, `[::1]:8080`).
///
/// Nothing is special otherwise: `localhost` and `127.0.0.1` go through the proxy unless listed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    http: Option<Proxy>,
    https: Option<Proxy>,
    no_proxy: NoProxy,
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |p: &Option<Proxy>| p.as_ref().map(|p| p.shown.clone());
        f.debug_struct("ProxyConfig")
            .field("http", &shown(&self.http))
            .field("https", &shown(&self.https))
            .field("no_proxy", &self.no_proxy.text)
            .finish()
    }
}

impl ProxyConfig {
    /// No proxy: every request goes directly to its host (the default).
    pub fn none() -> Self {
        ProxyConfig::default()
    }

    /// The proxies of the environment:
    ///
    /// | requests | variables, first set wins |
    /// |---|---|
    /// | `https://` | `https_proxy`, `HTTPS_PROXY` |
    /// | `http://` | `http_proxy`, `HTTP_PROXY` |
    /// | not proxied | `no_proxy`, `NO_PROXY` |
    ///
    /// The lower-case name wins when both are set, as in botocore (Python's `urllib`) and curl. An
    /// empty value counts as unset. `ALL_PROXY` is not read. When `REQUEST_METHOD` is set (the
    /// process is a CGI script, whose `HTTP_*` variables come from the request's headers),
    /// `HTTP_PROXY` is ignored and only `http_proxy` counts, as Python and curl do.
    ///
    /// An unusable proxy URL is an error naming the variable (and showing the URL without its
    /// user info).
    pub fn from_env(env: &Env) -> Result<Self, HttpError> {
        let first = |names: &[&'static str]| names.iter().find_map(|n| env.get_nonempty(n).map(|v| (*n, v)));
        let cgi = env.get("REQUEST_METHOD").is_some();
        let http_names: &[&'static str] = if cgi { &["http_proxy"] } else { &["http_proxy", "HTTP_PROXY"] };
        let mut config = ProxyConfig::none();
        if let Some((name, url)) = first(&["https_proxy", "HTTPS_PROXY"]) {
            config.https = Some(Proxy::parse(&url, name)?);
        }
        if let Some((name, url)) = first(http_names) {
            config.http = Some(Proxy::parse(&url, name)?);
        }
        if let Some((_, list)) = first(&["no_proxy", "NO_PROXY"]) {
            config.no_proxy = NoProxy::parse(&list);
        }
        Ok(config)
    }

    /// One proxy for every request, `http://` and `https://`.
    pub fn all(url: &str) -> Result<Self, HttpError> {
        let proxy = Proxy::parse(url, "proxy URL")?;
        Ok(ProxyConfig { http: Some(proxy.clone()), https: Some(proxy), no_proxy: NoProxy::default() })
    }

    /// Sends `http://` requests through the proxy at `url`.
    pub fn with_http(mut self, url: &str) -> Result<Self, HttpError> {
        self.http = Some(Proxy::parse(url, "HTTP proxy URL")?);
        Ok(self)
    }

    /// Sends `https://` requests through the proxy at `url` (in a `CONNECT` tunnel).
    pub fn with_https(mut self, url: &str) -> Result<Self, HttpError> {
        self.https = Some(Proxy::parse(url, "HTTPS proxy URL")?);
        Ok(self)
    }

    /// Reaches the hosts of `list` directly (`NO_PROXY` syntax; replaces any earlier list).
    pub fn with_no_proxy(mut self, list: &str) -> Self {
        self.no_proxy = NoProxy::parse(list);
        self
    }

    /// Whether no request goes through a proxy.
    pub fn is_none(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// The proxy a request to `uri` goes through, as its URL with the user info replaced by
    /// `***`; `None` when the request goes directly.
    pub fn proxy_for(&self, uri: &http::Uri) -> Option<&str> {
        self.route(uri).map(|p| p.shown.as_str())
    }

    /// The proxy for a request to `uri`, unless it goes directly.
    pub(crate) fn route(&self, uri: &http::Uri) -> Option<&Proxy> {
        let https = uri.scheme_str()?.eq_ignore_ascii_case("https");
        let proxy = if https {
            self.https.as_ref()?
        } else if uri.scheme_str()?.eq_ignore_ascii_case("http") {
            self.http.as_ref()?
        } else {
            return None;
        };
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let host = uri.host()?;
        if is_link_local(host) || self.no_proxy.matches(host, port) {
            return None;
        }
        Some(proxy)
    }
}

/// Link-local addresses (`169.254.0.0/16`, `fe80::/10`) and the EC2 metadata and EKS agent range
/// `fd00:ec2::/32` exist only on the machine's own link: a proxy cannot reach them, and the tokens
/// sent there (IMDS session tokens, Pod Identity authorization tokens) must not travel to one. They
/// are always reached directly.
fn is_link_local(host: &str) -> bool {
    match host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_link_local(),
        Ok(std::net::IpAddr::V6(ip)) => {
            let s = ip.segments();
            (s[0] & 0xffc0) == 0xfe80 || (s[0] == 0xfd00 && s[1] == 0x0ec2)
        }
        Err(_) => false,
    }
}

/// A proxy reached over plain HTTP.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Proxy {
    /// Where to connect: `host:port`.
    authority: http::uri::Authority,
    /// `Basic …`, from the URL's user info (marked sensitive).
    pub(crate) auth: Option<http::HeaderValue>,
    /// The URL with its user info replaced by `***`.
    shown: String,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Proxy").field(&self.shown).finish()
    }
}

impl Proxy {
    /// Parses a proxy URL; `source` names where it came from (a variable) for the error.
    fn parse(url: &str, source: &str) -> Result<Proxy, HttpError> {
        let url = url.trim();
        let shown = redact(url);
        let bad = |why: &str| {
            HttpError::new(HttpErrorKind::Config, format!("{source}: `{shown}` is not a usable proxy URL: {why}"))
        };
        let rest = match scheme_end(url) {
            Some(end) => {
                let scheme = &url[..end];
                if scheme.eq_ignore_ascii_case("https") {
                    return Err(bad("proxies reached over TLS (`https://`) are not supported; use `http://` \
                                    (requests to `https://` URLs are still encrypted end to end, in a tunnel)"));
                }
                if !scheme.eq_ignore_ascii_case("http") {
                    return Err(bad(&format!("the scheme `{scheme}` is not supported (only `http://`)")));
                }
                &url[end + 3..]
            }
            None => url,
        };
        // The user info ends at the last `@`, so that an unencoded `@`, `/` or `:` in a password
        // is never taken for the host (and never shown in a message).
        let (userinfo, rest) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (host, port) = split_host_port(host_port).ok_or_else(|| bad("the port is not a number from 1 to 65535"))?;
        if host.is_empty() || host == "[]" {
            return Err(bad("it has no host"));
        }
        let authority: http::uri::Authority = format!("{host}:{}", port.unwrap_or(80))
            .parse()
            .map_err(|_| bad("the host is not a valid host name or IP address"))?;
        let auth = match userinfo.filter(|u| !u.is_empty()) {
            None => None,
            Some(userinfo) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                let mut pair = percent_decode(user).ok_or_else(|| bad("the user name has a bad `%` escape"))?;
                pair.push(b':');
                pair.extend(percent_decode(password).ok_or_else(|| bad("the password has a bad `%` escape"))?);
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                let mut value = http::HeaderValue::try_from(format!("Basic {encoded}"))
                    .map_err(|_| bad("the user info cannot be sent in a header"))?;
                value.set_sensitive(true);
                Some(value)
            }
        };
        Ok(Proxy { authority, auth, shown: format!("http://{}{}", if userinfo.is_some() { "***@" } else { "" }, rest) })
    }
}

/// Where the scheme of `url` ends (the index of `://`), if it starts with one.
fn scheme_end(url: &str) -> Option<usize> {
    let end = url.find("://")?;
    let scheme = &url[..end];
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(end)
}

/// `url` with everything between its scheme and its last `@` replaced by `***`: the form of a
/// proxy URL that messages show. A URL that cannot be parsed is redacted the same way.
pub(crate) fn redact(url: &str) -> String {
    let Some(at) = url.rfind('@') else { return url.to_string() };
    let start = scheme_end(url).map_or(0, |end| end + 3).min(at);
    format!("{}***{}", &url[..start], &url[at..])
}

/// `host[:port]` or `[v6][:port]`; `None` for a port that is not a number from 1 to 65535.
fn split_host_port(s: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if s.starts_with('[') {
        match s.find(']') {
            Some(close) => match s[close + 1..].strip_prefix(':') {
                Some(port) => (&s[..=close], Some(port)),
                None if close + 1 == s.len() => (s, None),
                None => return None,
            },
            None => (s, None),
        }
    } else {
        match s.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (s, None),
        }
    };
    match port {
        None => Some((host, None)),
        Some(p) => {
            let digits = !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
            let n = p.parse::<u16>().ok().filter(|n| digits && *n != 0)?;
            Some((host, Some(n)))
        }
    }
}

/// Decodes `%XX` escapes; `None` for a `%` not followed by two hex digits.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The parsed `NO_PROXY` list.
#[derive(Clone, Default, PartialEq, Eq)]
struct NoProxy {
    rules: Vec<Rule>,
    text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Rule {
    /// `*`.
    Every,
    /// A domain and its subdomains (lower case, without leading or trailing dots).
    Domain(String, Option<u16>),
    /// An address or network: the address and the prefix length.
    Ip(IpAddr, u8, Option<u16>),
}

impl NoProxy {
    fn parse(list: &str) -> NoProxy {
        let rules = list.split(',').filter_map(|entry| Rule::parse(entry.trim())).collect();
        NoProxy { rules, text: list.trim().to_string() }
    }

    fn matches(&self, host: &str, port: u16) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let ip = host.parse::<IpAddr>().ok();
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.rules.iter().any(|rule| match rule {
            Rule::Every => true,
            Rule::Domain(name, p) => {
                ip.is_none()
                    && port_ok(*p, port)
                    && (host == *name
                        || (host.len() > name.len()
                            && host.ends_with(name.as_str())
                            && host.as_bytes()[host.len() - name.len() - 1] == b'.'))
            }
            Rule::Ip(net, prefix, p) => port_ok(*p, port) && ip.is_some_and(|ip| in_network(ip, *net, *prefix)),
        })
    }
}

/// Whether a rule's port (none: any port) admits `port`.
fn port_ok(rule: Option<u16>, port: u16) -> bool {
    rule.map_or(true, |p| p == port)
}

impl Rule {
    fn parse(entry: &str) -> Option<Rule> {
        if entry.is_empty() {
            return None;
        }
        if entry == "*" {
            return Some(Rule::Every);
        }
        if let Some((addr, bits)) = entry.split_once('/') {
            let addr = addr.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok()?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let bits = bits.parse::<u8>().ok().filter(|b| *b <= max)?;
            return Some(Rule::Ip(addr, bits, None));
        }
        if let Ok(addr) = entry.parse::<IpAddr>() {
            return Some(Rule::Ip(addr, if addr.is_ipv4() { 32 } else { 128 }, None));
        }
        let (host, port) = split_host_port(entry)?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(addr) = host.parse::<IpAddr>() {
            return Some(Rule::Ip(addr, if addr.is_ipv4() { 32 } else { 128 }, port));
        }
        let name = host.strip_prefix("*.").or_else(|| host.strip_prefix('.')).unwrap_or(host);
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        (!name.is_empty()).then_some(Rule::Domain(name, port))
    }
}

/// Whether `ip` is in `net`/`prefix` (never across address families).
fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// A connection made by [`ProxyConnector`]: to the host, to a forward proxy, or through a tunnel.
pub(crate) struct ProxyStream {
    io: TokioIo<TcpStream>,
    /// Connected to a proxy that forwards requests (they are sent in absolute form).
    forwarding: bool,
}

impl hyper::rt::Read for ProxyStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for ProxyStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forwarding)
    }
}

/// Makes TCP connections: directly, or to the proxy [`ProxyConfig`] picks, opening a `CONNECT`
/// tunnel for `https://` destinations (and for `http://` ones too when `tunnel_http` is set: the
/// HTTP/2 pool's prior-knowledge HTTP/2 cannot be forwarded by an HTTP/1 proxy).
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    pub(crate) tcp: HttpConnector,
    pub(crate) proxies: Arc<ProxyConfig>,
    pub(crate) tunnel_http: bool,
}

/// A failure to reach a host through a proxy: what went wrong, where (the proxy's URL without user
/// info), and the underlying error.
#[derive(Debug)]
struct ProxyFailure {
    message: String,
    source: Option<BoxError>,
}

impl fmt::Display for ProxyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProxyFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| &**e as &(dyn std::error::Error + 'static))
    }
}

impl tower_service::Service<http::Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<ProxyStream, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.tcp.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let Some(proxy) = self.proxies.route(&dst).cloned() else {
            let connecting = self.tcp.call(dst);
            return Box::pin(async move { Ok(ProxyStream { io: connecting.await?, forwarding: false }) });
        };
        let tunnel = self.tunnel_http || dst.scheme_str().is_some_and(|s| s.eq_ignore_ascii_case("https"));
        let to_proxy =
            http::Uri::builder().scheme("http").authority(proxy.authority.clone()).path_and_query("/").build();
        let connecting = to_proxy.map(|uri| self.tcp.call(uri));
        Box::pin(async move {
            let failed = |message: String, source: Option<BoxError>| Box::new(ProxyFailure { message, source });
            let connecting = connecting.map_err(|e| failed(format!("proxy {}: {e}", proxy.shown), None))?;
            let io = connecting
                .await
                .map_err(|e| failed(format!("connecting to the proxy {}", proxy.shown), Some(e.into())))?;
            if !tunnel {
                return Ok(ProxyStream { io, forwarding: true });
            }
            let tcp = open_tunnel(io.into_inner(), &dst, &proxy).await.map_err(|(message, source)| {
                failed(format!("opening a tunnel through the proxy {}: {message}", proxy.shown), source)
            })?;
            Ok(ProxyStream { io: TokioIo::new(tcp), forwarding: false })
        })
    }
}

/// The most a proxy's answer to `CONNECT` may take, status line and headers.
const MAX_CONNECT_RESPONSE: usize = 16 * 1024;

/// Asks the proxy at the other end of `tcp` for a tunnel to `dst` (`CONNECT host:port`) and reads
/// its answer; the stream is then a byte pipe to `dst`.
async fn open_tunnel(
    mut tcp: TcpStream,
    dst: &http::Uri,
    proxy: &Proxy,
) -> Result<TcpStream, (String, Option<BoxError>)> {
    let host = dst.host().ok_or_else(|| ("the request URL has no host".to_string(), None))?;
    let https = dst.scheme_str().is_some_and(|s| s.eq_ignore_ascii_case("https"));
    let target = format!("{host}:{}", dst.port_u16().unwrap_or(if https { 443 } else { 80 }));
    let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n").into_bytes();
    if let Some(auth) = &proxy.auth {
        head.extend_from_slice(b"Proxy-Authorization: ");
        head.extend_from_slice(auth.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    let io = |what: &str, e: std::io::Error| (what.to_string(), Some(Box::new(e) as BoxError));
    tcp.write_all(&head).await.map_err(|e| io("sending CONNECT", e))?;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 1024];
    let end = loop {
        let n = tcp.read(&mut chunk).await.map_err(|e| io("reading the answer to CONNECT", e))?;
        if n == 0 {
            return Err(("the proxy closed the connection without answering CONNECT".into(), None));
        }
        answer.extend_from_slice(&chunk[..n]);
        if let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if answer.len() > MAX_CONNECT_RESPONSE {
            return Err((format!("the answer to CONNECT is longer than {MAX_CONNECT_RESPONSE} bytes"), None));
        }
    };
    let status_line = answer.split(|b| *b == b'\n').next().unwrap_or_default();
    let status_line: String = String::from_utf8_lossy(status_line)
        .trim()
        .chars()
        .take(100)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let mut parts = status_line.split(' ');
    let version = parts.next().unwrap_or_default();
    let status = parts.next().and_then(|s| s.parse::<u16>().ok());
    match status {
        _ if !version.starts_with("HTTP/1.") => Err((format!("the answer `{status_line}` is not HTTP/1"), None)),
        Some(200..=299) if end == answer.len() => Ok(tcp),
        Some(200..=299) => Err(("the proxy sent data before the tunnel was used".into(), None)),
        Some(407) => {
            let why = if proxy.auth.is_some() {
                "it refused the credentials in the proxy URL"
            } else {
                "the proxy URL has no user info"
            };
            Err((format!("the proxy requires authentication ({status_line}); {why}"), None))
        }
        _ => Err((format!("the proxy refused to connect to {target}: {status_line}"), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> http::Uri {
        s.parse().unwrap()
    }

    fn routes(no_proxy: &str, url: &str) -> bool {
        let config = ProxyConfig::all("http://proxy:3128").unwrap().with_no_proxy(no_proxy);
        config.route(&uri(url)).is_some()
    }

    #[test]
    fn no_proxy_follows_curl() {
        assert!(!routes("example.com", "https://example.com/"));
        assert!(!routes("example.com", "https://a.b.EXAMPLE.com./"));
        assert!(!routes(".example.com", "https://example.com/"));
        assert!(!routes("*.example.com", "https://a.example.com/"));
        assert!(routes("example.com", "https://badexample.com/"));
        assert!(routes("a.example.com", "https://example.com/"));
        assert!(!routes(" foo , *", "http://anything:1/"));
        assert!(!routes("10.0.0.0/8", "http://10.1.2.3/"));
        assert!(routes("10.0.0.0/8", "http://11.1.2.3/"));
        assert!(!routes("127.0.0.1", "http://127.0.0.1:8080/"));
        assert!(routes("127.0.0.1", "http://localhost/"));
        assert!(routes("localhost", "http://127.0.0.1/"));
        assert!(!routes("::1", "http://[::1]:8080/"));
        assert!(!routes("[::1]", "http://[::1]/"));
        assert!(!routes("fd00::/8", "http://[fd12::1]/"));
        assert!(routes("fd00::/8", "http://10.0.0.1/"));
        assert!(!routes("example.com:8443", "https://example.com:8443/"));
        assert!(routes("example.com:8443", "https://example.com/"));
        assert!(!routes("example.com:443", "https://example.com/"));
        assert!(!routes("[::1]:8080", "http://[::1]:8080/"));
        assert!(routes("[::1]:8080", "http://[::1]:8081/"));
        assert!(!routes("127.0.0.1:80", "http://127.0.0.1/"));
        assert!(routes("", "http://example.com/"));
        assert!(routes("0.0.0.0/0", "http://[::1]/"));
        assert!(!routes("0.0.0.0/0", "http://1.2.3.4/"));
        // Unusable entries match nothing.
        assert!(routes("10.0.0.0/99,example.com:x,.", "http://10.0.0.1/"));
    }

    #[test]
    fn proxy_urls_parse_and_never_show_the_password() {
        let p = Proxy::parse("http://us%40er:p%3Ass@proxy.example:3128/", "X").unwrap();
        assert_eq!(p.authority.as_str(), "proxy.example:3128");
        assert_eq!(p.shown, "http://***@proxy.example:3128/");
        // "us@er:p:ss"
        assert_eq!(p.auth.as_ref().unwrap().to_str().unwrap(), "Basic dXNAZXI6cDpzcw==");
        let p = Proxy::parse("proxy.example", "X").unwrap();
        assert_eq!((p.authority.as_str(), p.auth.is_none()), ("proxy.example:80", true));
        let p = Proxy::parse("HTTP://[::1]:8080", "X").unwrap();
        assert_eq!(p.authority.as_str(), "[::1]:8080");
        // An unencoded `@` or `/` in the password is still user info.
        let p = Proxy::parse("http://u:s/e@cr@t@proxy:1", "X").unwrap();
        assert_eq!((p.authority.as_str(), p.shown.as_str()), ("proxy:1", "http://***@proxy:1"));
        for bad in [
            "https://u:SECRET@proxy:1",
            "socks5://u:SECRET@proxy:1",
            "http://u:SECRET@proxy:99999",
            "http://u:SECRET@proxy:x",
            "http://u:SECRET@",
            "http://u:SECRET@pro xy",
            "http://u:SE%zzCRET@proxy",
            "u:SECRET://x@proxy:bad",
        ] {
            let e = Proxy::parse(bad, "HTTPS_PROXY").unwrap_err();
            assert_eq!(e.kind, HttpErrorKind::Config);
            assert!(e.message.starts_with("HTTPS_PROXY: `"), "{e}");
            assert!(!e.to_string().contains("SECRET"), "{e}");
            assert!(e.to_string().contains("***@"), "{e}");
        }
    }

    #[test]
    fn environment_names_and_precedence() {
        let env = |vars: &[(&str, &str)]| Env::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let c = ProxyConfig::from_env(&env(&[
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "http://lower:1"),
            ("HTTP_PROXY", "http://plain:2"),
            ("NO_PROXY", "skip.example"),
        ]))
        .unwrap();
        assert_eq!(c.proxy_for(&uri("https://x/")), Some("http://lower:1"));
        assert_eq!(c.proxy_for(&uri("http://x/")), Some("http://plain:2"));
        assert_eq!(c.proxy_for(&uri("http://a.skip.example/")), None);
        let cgi = ProxyConfig::from_env(&env(&[("HTTP_PROXY", "http://plain:2"), ("REQUEST_METHOD", "GET")])).unwrap();
        assert!(cgi.is_none());
        let empty = ProxyConfig::from_env(&env(&[("https_proxy", " "), ("HTTPS_PROXY", "http://upper:1")])).unwrap();
        assert_eq!(empty.proxy_for(&uri("https://x/")), Some("http://upper:1"));
        let e = ProxyConfig::from_env(&env(&[("http_proxy", "http://me:hunter2@proxy:port")])).unwrap_err();
        assert!(e.to_string().contains("http_proxy: `http://***@proxy:port`"), "{e}");
        assert!(!e.to_string().contains("hunter2"));
        let d = format!("{:?}", ProxyConfig::all("http://me:hunter2@proxy:1").unwrap());
        assert!(d.contains("http://***@proxy:1") && !d.contains("hunter2") && !d.contains("me:"), "{d}");
    }

    #[test]
    fn metadata_and_link_local_addresses_never_go_through_the_proxy() {
        let p = ProxyConfig::all("http://proxy.example:3128").unwrap();
        for direct in [
            "http://169.254.169.254/latest/api/token",
            "http://169.254.170.2/v2/x",
            "http://[fd00:ec2::254]/",
            "http://[fe80::1]/",
        ] {
            assert_eq!(p.proxy_for(&direct.parse().unwrap()), None, "{direct}");
        }
        assert!(p.proxy_for(&"http://10.0.0.1/".parse().unwrap()).is_some());
        assert!(p.proxy_for(&"https://sts.amazonaws.com/".parse().unwrap()).is_some());
    }
}
