//! The fuzz targets of Stratus: one function per target, taking the raw fuzz input.
//!
//! Each function decodes its input into what the code under test reads, runs it, and checks an
//! oracle; it panics when the oracle fails (a panic of the code under test is a finding too). The
//! libFuzzer binaries in `fuzz_targets/` and the replay test in `tests/replay.rs` both call these.
//!
//! With the `differential` feature, `regex` and `sigv4` also compare against reference
//! implementations (the `regex` crate, `aws-sigv4`); without it they only check for panics.

#![forbid(unsafe_code)]

use bytes::BytesMut;
use std::sync::OnceLock;

/// A target: its name and its function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name (the names of the fuzzer binaries and of the corpus directories).
pub const TARGETS: &[Target] = &[
    ("event_stream", event_stream),
    ("date_time", date_time),
    ("response_metadata", response_metadata),
    ("profile", profile),
    ("credentials_json", credentials_json),
    ("endpoint", endpoint),
    ("regex", regex),
    ("sigv4", sigv4),
    ("model", model),
    ("jmespath", jmespath),
];

/// Reads structured values off the front of the fuzz input; past the end it yields zeros.
struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.u8();
        }
        u64::from_be_bytes(b)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::from(self.u8()) % n
        }
    }

    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// Up to `n` bytes.
    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    /// Everything left.
    fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().expect("tokio runtime"))
}

// ---------------------------------------------------------------------------------------------
// event_stream

mod es {
    use stratus_runtime::event_stream::{EventStreamError, EventUnion, Message};

    /// A test union: every event type is an event, except `Skip` (unknown to "this version") and
    /// `Json` (its payload must be JSON).
    #[derive(Debug, PartialEq)]
    pub enum Ev {
        Raw(String, Vec<u8>),
        Json(serde_json::Value),
    }

    impl EventUnion for Ev {
        fn from_event(event_type: &str, m: &Message) -> Result<Option<Self>, EventStreamError> {
            Ok(match event_type {
                "Skip" => None,
                "Json" => Some(Ev::Json(m.json()?)),
                other => Some(Ev::Raw(other.to_string(), m.payload.to_vec())),
            })
        }
    }
}

/// What decoding a byte stream gives: the messages with the exact bytes of their frames, then
/// either an error or the number of bytes left over (a frame still incomplete).
#[derive(Debug, PartialEq)]
struct Decoded {
    messages: Vec<(stratus_runtime::event_stream::Message, Vec<u8>)>,
    end: Result<usize, stratus_runtime::event_stream::EventStreamError>,
}

/// Decodes as many messages as `buf` holds; false after an error.
fn drain(buf: &mut BytesMut, out: &mut Decoded) -> bool {
    use stratus_runtime::event_stream::decode_message;
    loop {
        let before = buf.clone();
        match decode_message(buf) {
            Ok(Some(m)) => {
                let used = before.len() - buf.len();
                out.messages.push((m, before[..used].to_vec()));
            }
            Ok(None) => {
                assert_eq!(*buf, before, "decode_message consumed bytes without returning a message");
                out.end = Ok(buf.len());
                return true;
            }
            Err(e) => {
                out.end = Err(e);
                return false;
            }
        }
    }
}

/// Event-stream framing: one-shot decoding of the whole input must equal decoding the same bytes
/// fed in chunks (sizes from the first bytes of the input); every decoded message re-encodes to
/// exactly its frame; and an [`EventStream`](stratus_runtime::event_stream::EventStream) over the
/// chunks yields what the decoded messages say it should.
pub fn event_stream(data: &[u8]) {
    use stratus_runtime::event_stream::{EventStream, EventStreamError, EventUnion};
    let mut r = Reader::new(data);
    let k = usize::from(r.u8() % 8);
    let sizes: Vec<usize> = r.take(k).iter().map(|&s| usize::from(s) + 1).collect();
    let stream = r.rest();

    let mut whole = Decoded { messages: Vec::new(), end: Ok(0) };
    drain(&mut BytesMut::from(stream), &mut whole);
    for (m, frame) in &whole.messages {
        assert_eq!(&m.encode(), frame, "a decoded message does not re-encode to its frame");
    }

    let mut chunks: Vec<&[u8]> = Vec::new();
    let mut rest = stream;
    let mut i = 0;
    while !rest.is_empty() {
        let n = if sizes.is_empty() { rest.len() } else { sizes[i % sizes.len()].min(rest.len()) };
        chunks.push(&rest[..n]);
        rest = &rest[n..];
        i += 1;
    }
    let mut incremental = Decoded { messages: Vec::new(), end: Ok(0) };
    let mut buf = BytesMut::new();
    for chunk in &chunks {
        buf.extend_from_slice(chunk);
        if !drain(&mut buf, &mut incremental) {
            break;
        }
    }
    assert_eq!(whole, incremental, "chunked decoding differs from one-shot decoding (chunk sizes {sizes:?})");

    // What the typed stream must yield, from the one-shot messages.
    #[derive(Debug, PartialEq)]
    enum Item {
        Event(es::Ev),
        Error(EventStreamError),
        /// An exception or error message (the details are parsed from the payload).
        ServiceError,
    }
    let mut expected = Vec::new();
    let mut ended = false;
    for (m, _) in &whole.messages {
        match m.header_str(":message-type").unwrap_or("event") {
            "event" => match es::Ev::from_event(m.header_str(":event-type").unwrap_or_default(), m) {
                Ok(Some(ev)) => expected.push(Item::Event(ev)),
                Ok(None) => {}
                Err(e) => {
                    expected.push(Item::Error(e));
                    ended = true;
                    break;
                }
            },
            "exception" | "error" => {
                expected.push(Item::ServiceError);
                ended = true;
                break;
            }
            other => {
                expected.push(Item::Error(EventStreamError::Frame(format!("unknown message type `{other}`"))));
                ended = true;
                break;
            }
        }
    }
    if !ended {
        match &whole.end {
            Ok(0) => {}
            Ok(_) => expected.push(Item::Error(EventStreamError::Truncated)),
            Err(e) => expected.push(Item::Error(e.clone())),
        }
    }
    let body = stratus_runtime::http::Body::from_chunks(
        chunks.iter().map(|c| Ok(bytes::Bytes::copy_from_slice(c))).collect::<Vec<_>>(),
    );
    let mut s: EventStream<es::Ev> = EventStream::new(body);
    let got = runtime().block_on(async {
        let mut got = Vec::new();
        while let Some(item) = s.recv().await {
            got.push(match item {
                Ok(ev) => Item::Event(ev),
                Err(EventStreamError::Exception { .. } | EventStreamError::Error { .. }) => Item::ServiceError,
                Err(e) => Item::Error(e),
            });
            assert!(got.len() <= whole.messages.len() + 1, "the event stream yields more items than messages");
        }
        assert!(s.recv().await.is_none(), "the event stream yields an item after its end");
        got
    });
    assert_eq!(got, expected, "EventStream items differ from the decoded messages");
}

// ---------------------------------------------------------------------------------------------
// date_time

/// `DateTime` parsers: never panic; a parsed instant in years 0..=9999 survives a round trip
/// through each format (HTTP-date drops the fraction).
pub fn date_time(data: &[u8]) {
    use stratus_runtime::types::DateTime;
    let Ok(s) = std::str::from_utf8(data) else { return };
    let parsed = [DateTime::parse_iso8601(s), DateTime::parse_http_date(s), DateTime::parse_epoch(s)];
    for t in parsed.into_iter().flatten() {
        // 0000-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z
        if !(-62_167_219_200..=253_402_300_799).contains(&t.secs()) {
            continue;
        }
        let iso = t.to_iso8601();
        assert_eq!(DateTime::parse_iso8601(&iso), Ok(t), "ISO 8601 round trip of {t:?} via `{iso}` (input {s:?})");
        let http = t.to_http_date();
        assert_eq!(
            DateTime::parse_http_date(&http),
            Ok(DateTime::from_secs(t.secs())),
            "HTTP-date round trip of {t:?} via `{http}` (input {s:?})"
        );
        let epoch = t.to_epoch_string();
        assert_eq!(DateTime::parse_epoch(&epoch), Ok(t), "epoch round trip of {t:?} via `{epoch}` (input {s:?})");
        let _ = t.to_string();
    }
}

// ---------------------------------------------------------------------------------------------
// response_metadata

const RESPONSE_HEADERS: &[&str] = &[
    "x-amzn-errortype",
    "x-amzn-requestid",
    "x-amz-request-id",
    "retry-after",
    "x-amz-retry-after",
    "date",
    "content-type",
    "x-amzn-error-message",
];

/// What the client reads from an error response (request id, error code and message, retry hint,
/// server clock): never panics, whatever the status, headers and body.
pub fn response_metadata(data: &[u8]) {
    let mut r = Reader::new(data);
    let status = r.u16();
    let mut headers = http::HeaderMap::new();
    for _ in 0..r.below(8) {
        let name = r.pick(RESPONSE_HEADERS);
        let len = r.below(64);
        let value = r.take(len);
        if let Ok(v) = http::HeaderValue::from_bytes(value) {
            headers.append(name, v);
        }
    }
    let raw = stratus_runtime::error::RawResponse { status, headers, body: bytes::Bytes::copy_from_slice(r.rest()) };
    let _ = raw.request_id();
    let _ = stratus_runtime::__fuzz::response_metadata(&raw);
}

// ---------------------------------------------------------------------------------------------
// profile

/// A secret that must never appear in an error or a `Debug` rendering.
const CANARY: &str = "wJalrXUtnCANARY918273645546372819KEY";

/// The digits every canary form carries (string or number): what the leak checks look for.
const CANARY_CORE: &str = "918273645546372819";

/// Lines that put [`CANARY`] where only a secret goes (each on a line of its own).
const PROFILE_SECRET_LINES: &[&str] = &[
    "aws_secret_access_key = {C}",
    "aws_session_token = {C}",
    "aws_secret_access_key={C}",
    "AWS_SECRET_ACCESS_KEY = {C}",
    "aws_secret_access_key = {C} # a comment",
    "aws_secret_access_key = {C} ; a comment",
    "aws_secret_access_key =\n  {C}",
    "aws_session_token =\n  {C}\n  {C}",
    // Malformed: the error must not quote the secret.
    "aws_secret_access_key {C}",
    "aws_session_token {C}",
    "aws_secret_access_key: {C}",
    "aws_secret_access_key\t{C}",
    "[default]\naws_secret_access_key = {C}",
    "[profile dev]\naws_secret_access_key = {C}",
];

/// Replaces each `\x01` of `text` (and the byte after it, which picks the template) by one of
/// `templates` on a line of its own, with `{C}` replaced by the canary.
fn plant(text: &[u8], templates: &[&str], canary: &str) -> String {
    let mut out = Vec::with_capacity(text.len() + 64);
    let mut i = 0;
    while i < text.len() {
        if text[i] == 1 {
            let pick = usize::from(text.get(i + 1).copied().unwrap_or(0)) % templates.len();
            out.push(b'\n');
            out.extend_from_slice(templates[pick].replace("{C}", canary).as_bytes());
            out.push(b'\n');
            i += 2;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn contains_canary(data: &[u8]) -> bool {
    data.windows(CANARY_CORE.len()).any(|w| w == CANARY_CORE.as_bytes())
}

/// Profile files: never panic, and never show a secret (`aws_secret_access_key`,
/// `aws_session_token` values, also on malformed lines) in an error or in `Debug`. The input is
/// the config file, then after a NUL byte the credentials file; `\x01` plants a secret line.
pub fn profile(data: &[u8]) {
    use stratus_runtime::profile::ProfileSet;
    let (config, credentials) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let config = plant(config, PROFILE_SECRET_LINES, CANARY);
    let credentials = credentials.map(|c| plant(c, PROFILE_SECRET_LINES, CANARY));
    let result = ProfileSet::from_texts(
        Some(("config", config.as_str())),
        credentials.as_deref().map(|c| ("credentials", c)),
        "default",
    );
    if contains_canary(data) {
        return; // the input itself holds the canary, wherever it put it
    }
    match result {
        Ok(set) => {
            let debug = format!("{set:?}");
            assert!(!debug.contains(CANARY_CORE), "Debug of the ProfileSet shows a secret: {debug}");
            if let Some(p) = set.selected_profile() {
                let debug = format!("{p:?}");
                assert!(!debug.contains(CANARY_CORE), "Debug of the Profile shows a secret: {debug}");
            }
        }
        Err(e) => {
            let display = e.to_string();
            assert!(!display.contains(CANARY_CORE), "profile error (Display) shows a secret: {display}");
            let debug = format!("{e:?}");
            assert!(!debug.contains(CANARY_CORE), "profile error (Debug) shows a secret: {debug}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// credentials_json

/// Members holding [`CANARY`] in some form (a string, or a value of the wrong type).
const JSON_SECRET_MEMBERS: &[&str] = &[
    r#""SecretAccessKey":"{C}""#,
    r#""SessionToken":"{C}""#,
    r#""Token":"{C}""#,
    r#""SecretAccessKey":918273645546372819"#,
    r#""SessionToken":918273645546372819"#,
    r#""Token":918273645546372819"#,
    r#""SecretAccessKey":-918273645546372819"#,
    r#""SecretAccessKey":["{C}"]"#,
    r#""SecretAccessKey":{"k":"{C}"}"#,
    r#""SessionToken":{"{C}":1}"#,
    r#""SecretAccessKey":"wJalrXUtnCAN\u0041RY918273645546372819KEY""#,
    r#""SecretAccessKey":"{C}\ud800""#,
    r#""Token":"{C}","Token":"{C}""#,
];

/// Credentials JSON (`credential_process`, container and IMDS answers): never panics, and neither
/// errors nor `Debug` of the credentials show a secret. The input is JSON text in which `\x01`
/// plants a secret member (the byte after it picks its form, often of the wrong type).
pub fn credentials_json(data: &[u8]) {
    let mut text = Vec::with_capacity(data.len() + 64);
    let mut i = 0;
    while i < data.len() {
        if data[i] == 1 {
            let pick = usize::from(data.get(i + 1).copied().unwrap_or(0)) % JSON_SECRET_MEMBERS.len();
            text.extend_from_slice(JSON_SECRET_MEMBERS[pick].replace("{C}", CANARY).as_bytes());
            i += 2;
        } else {
            text.push(data[i]);
            i += 1;
        }
    }
    let result = stratus_runtime::__fuzz::credentials_json(&text);
    if contains_canary(data) {
        return;
    }
    let shown = match &result {
        Ok(c) => format!("{c:?}"),
        Err(e) => format!("{e}\n{e:?}"),
    };
    assert!(
        !shown.contains(CANARY_CORE),
        "credentials JSON {}shows a secret: {shown}\ninput: {}",
        if result.is_ok() { "" } else { "error " },
        String::from_utf8_lossy(&text)
    );
}

// ---------------------------------------------------------------------------------------------
// endpoint

static LAMBDA: stratus_runtime::client::ServiceInfo = stratus_runtime::client::ServiceInfo {
    service_id: "Lambda",
    signing_name: "lambda",
    api_version: "2015-03-31",
    crate_version: "stratus-fuzz/0.0.0",
    endpoint_rules: include_str!("../../model/lambda/2015-03-31/endpoint-rule-set-1.json"),
};

/// The DNS suffixes of every partition (`dnsSuffix` and `dualStackDnsSuffix`).
fn partition_suffixes() -> &'static [String] {
    static SUFFIXES: OnceLock<Vec<String>> = OnceLock::new();
    SUFFIXES.get_or_init(|| {
        let v: serde_json::Value =
            serde_json::from_str(stratus_runtime::endpoint::PARTITIONS_JSON).expect("partitions.json");
        let mut out = Vec::new();
        for p in v["partitions"].as_array().expect("partitions") {
            for key in ["dnsSuffix", "dualStackDnsSuffix"] {
                if let Some(s) = p["outputs"][key].as_str() {
                    out.push(s.to_string());
                }
            }
        }
        assert!(!out.is_empty());
        out
    })
}

/// Endpoint resolution through the client: whatever the region and endpoint URL, a resolved URL
/// points at the configured endpoint's host, or at `lambda[-fips].<region>.<partition suffix>` for
/// exactly the configured region — never at a host the region smuggled in. Input: a flag byte
/// (FIPS, dual-stack, endpoint set), the region, then after a NUL byte the endpoint URL.
pub fn endpoint(data: &[u8]) {
    use stratus_runtime::credentials::Credentials;
    let mut r = Reader::new(data);
    let flags = r.u8();
    let rest = r.rest();
    let (region, url) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let region = String::from_utf8_lossy(region).into_owned();
    let url = url.filter(|_| flags & 4 != 0).map(|u| String::from_utf8_lossy(u).into_owned());
    let mut builder = stratus_runtime::Config::builder()
        .region(region.clone())
        .use_fips(flags & 1 != 0)
        .use_dual_stack(flags & 2 != 0)
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRET", None, None, "fuzz"))
        // A fake transport: building the real one sets up TLS, and nothing is sent here.
        .http_client(std::sync::Arc::new(stratus_runtime::http::CaptureClient::always(200, "{}")));
    if let Some(u) = &url {
        builder = builder.endpoint_url(u.clone());
    }
    let Ok(config) = builder.build() else { return };
    let handle = stratus_runtime::client::Handle::new(&config, &LAMBDA);
    let Ok(resolved) = handle.endpoint_url() else { return };
    // A URL that does not parse cannot be sent to (the client parses it the same way).
    let Ok(uri) = resolved.parse::<http::Uri>() else { return };
    let host = uri.host().unwrap_or_default();
    if let Some(u) = &url {
        let given = u.parse::<http::Uri>().expect("the config accepted the endpoint URL");
        assert_eq!(Some(host), given.host(), "resolved `{resolved}` for endpoint `{u}` (region {region:?})");
        return;
    }
    let ok = ["lambda", "lambda-fips"]
        .iter()
        .any(|prefix| partition_suffixes().iter().any(|suffix| host == format!("{prefix}.{region}.{suffix}")));
    assert!(ok, "region {region:?} resolved to `{resolved}`, host `{host}`: not a Lambda host of a partition");
}

// ---------------------------------------------------------------------------------------------
// regex

/// The matcher's bounds (`endpoint/src/regex.rs`): patterns and texts longer than
/// `MAX_LEN` characters, and matches that would take more than `MAX_STEPS` steps, do not match.
/// The comparison with the reference leaves out what these bounds decide.
const REGEX_MAX_LEN: usize = 256;
const REGEX_MAX_STEPS: usize = 200_000;

/// Characters of texts and literals: the characters of region names, a few others, and
/// whitespace of every ASCII kind.
const REGEX_ALPHABET: &[char] =
    &['a', 'b', 'c', 'x', 'A', 'Z', '0', '1', '9', '-', '_', '.', ' ', '\t', '\n', '\r', '\u{b}', '\u{c}', 'é', '🦀'];

/// A generated pattern: its syntax tree, and its spellings for the matcher and for the `regex`
/// crate.
#[derive(Debug)]
enum ReNode {
    Char(char),
    Any,
    /// Ranges as the matcher reads them, and both spellings.
    Class(Vec<(char, char)>, bool, String, String),
    Group(bool, Vec<Vec<RePiece>>),
    Start,
    End,
}

#[derive(Debug)]
struct RePiece {
    node: ReNode,
    min: usize,
    max: usize,
}

const WORD: &[(char, char)] = &[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
const DIGIT: &[(char, char)] = &[('0', '9')];
/// `\s`: ASCII whitespace (tab, line feed, vertical tab, form feed, carriage return, space). Used
/// by the step bound, which must follow the matcher's own reading.
const SPACE: &[(char, char)] = &[(' ', ' '), ('\t', '\r')];

/// Reference spellings of the classes, in ASCII terms (`\w` etc. are Unicode-aware in the `regex`
/// crate; AWS's patterns mean ASCII). `\s` is ASCII whitespace as in Java, JavaScript, RE2 and
/// POSIX: it includes vertical tab and form feed.
const REF_WORD: &str = "0-9A-Za-z_";
const REF_SPACE: &str = "\\t\\n\\x0B\\x0C\\r ";

fn escaped(c: char) -> String {
    if c.is_ascii_punctuation() {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

fn gen_alts(r: &mut Reader, depth: u32) -> Vec<Vec<RePiece>> {
    let n = 1 + r.below(if depth == 0 { 2 } else { 3 });
    (0..n).map(|_| gen_seq(r, depth)).collect()
}

fn gen_seq(r: &mut Reader, depth: u32) -> Vec<RePiece> {
    let mut seq = Vec::new();
    for _ in 0..r.below(5) {
        if r.is_empty() {
            break;
        }
        let node = gen_atom(r, depth);
        let (min, max) = if matches!(node, ReNode::Start | ReNode::End) {
            (1, 1)
        } else {
            match r.below(6) {
                0 => (0, usize::MAX),
                1 => (1, usize::MAX),
                2 => (0, 1),
                _ => (1, 1),
            }
        };
        seq.push(RePiece { node, min, max });
    }
    seq
}

fn gen_atom(r: &mut Reader, depth: u32) -> ReNode {
    let class = |ranges: &[(char, char)], negated: bool, ours: &str, reference: String| {
        ReNode::Class(ranges.to_vec(), negated, ours.to_string(), reference)
    };
    match r.below(12) {
        0..=3 => ReNode::Char(r.pick(REGEX_ALPHABET)),
        4 => ReNode::Any,
        5 => match r.below(6) {
            0 => class(WORD, false, "\\w", format!("[{REF_WORD}]")),
            1 => class(DIGIT, false, "\\d", "[0-9]".into()),
            2 => class(SPACE, false, "\\s", format!("[{REF_SPACE}]")),
            3 => class(WORD, true, "\\W", format!("[^{REF_WORD}]")),
            4 => class(SPACE, true, "\\S", format!("[^{REF_SPACE}]")),
            _ => class(DIGIT, true, "\\D", "[^0-9]".into()),
        },
        6 | 7 => gen_set(r),
        8 | 9 if depth < 4 => ReNode::Group(r.bool(), gen_alts(r, depth + 1)),
        10 => ReNode::Start,
        _ => ReNode::End,
    }
}

/// `[...]`: literals (escaped when punctuation), alphanumeric ranges, `\w` `\d` `\s`. (`\W` `\D` `\S`
/// inside a set are left out: the matcher reads them as letters.)
fn gen_set(r: &mut Reader) -> ReNode {
    const RANGE_ENDS: &[char] = &['a', 'b', 'c', 'x', 'z', 'A', 'Z', '0', '1', '9'];
    let negated = r.below(3) == 0;
    let (mut ranges, mut ours, mut reference) = (Vec::new(), String::new(), String::new());
    let mut push = |rs: &[(char, char)], o: &str, f: &str| {
        ranges.extend_from_slice(rs);
        ours.push_str(o);
        reference.push_str(f);
    };
    for _ in 0..1 + r.below(4) {
        match r.below(6) {
            0 | 1 => {
                let c = r.pick(REGEX_ALPHABET);
                push(&[(c, c)], &escaped(c), &escaped(c));
            }
            2 | 3 => {
                let (a, b) = (r.pick(RANGE_ENDS), r.pick(RANGE_ENDS));
                let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                let s = format!("{lo}-{hi}");
                push(&[(lo, hi)], &s, &s);
            }
            4 => match r.below(3) {
                0 => push(WORD, "\\w", REF_WORD),
                1 => push(DIGIT, "\\d", "0-9"),
                _ => push(SPACE, "\\s", REF_SPACE),
            },
            _ => push(&[('-', '-')], "\\-", "\\-"),
        }
    }
    let caret = if negated { "^" } else { "" };
    ReNode::Class(ranges, negated, format!("[{caret}{ours}]"), format!("[{caret}{reference}]"))
}

fn render_alts(alts: &[Vec<RePiece>], ours: &mut String, reference: &mut String) {
    for (i, seq) in alts.iter().enumerate() {
        if i > 0 {
            ours.push('|');
            reference.push('|');
        }
        for p in seq {
            match &p.node {
                ReNode::Char(c) => {
                    ours.push_str(&escaped(*c));
                    reference.push_str(&escaped(*c));
                }
                ReNode::Any => {
                    // Engines disagree on which line terminators `.` excludes (Rust: \n; Java and
                    // JavaScript: \r and U+2028/9 too); the matcher excludes none, and region names
                    // hold none: the reference is told to match any character.
                    ours.push('.');
                    reference.push_str("(?s:.)");
                }
                ReNode::Class(_, _, o, f) => {
                    ours.push_str(o);
                    reference.push_str(f);
                }
                ReNode::Group(capturing, inner) => {
                    let open = if *capturing { "(" } else { "(?:" };
                    ours.push_str(open);
                    reference.push_str(open);
                    render_alts(inner, ours, reference);
                    ours.push(')');
                    reference.push(')');
                }
                ReNode::Start => {
                    ours.push('^');
                    reference.push('^');
                }
                ReNode::End => {
                    ours.push('$');
                    reference.push('$');
                }
            }
            let q = match (p.min, p.max) {
                (0, usize::MAX) => "*",
                (1, usize::MAX) => "+",
                (0, 1) => "?",
                _ => "",
            };
            ours.push_str(q);
            reference.push_str(q);
        }
    }
}

/// Counts the steps the matcher's backtracking search takes when it explores every way to match
/// (no early success) from every start: an upper bound of the steps it really takes, since it
/// only stops sooner. Same recursion as the matcher; stops counting past `REGEX_MAX_STEPS`.
struct StepBound<'t> {
    text: &'t [char],
    steps: usize,
}

type Cont<'c, 't> = &'c mut dyn FnMut(&mut StepBound<'t>, usize);

impl<'t> StepBound<'t> {
    fn over(&self) -> bool {
        self.steps > REGEX_MAX_STEPS
    }

    fn alts(&mut self, alts: &[Vec<RePiece>], at: usize, k: Cont<'_, 't>) {
        for seq in alts {
            if self.over() {
                return;
            }
            self.seq(seq, at, k);
        }
    }

    fn seq(&mut self, seq: &[RePiece], at: usize, k: Cont<'_, 't>) {
        match seq.split_first() {
            None => k(self, at),
            Some((first, rest)) => self.repeat(first, 0, at, &mut |s: &mut Self, next| s.seq(rest, next, k)),
        }
    }

    fn repeat(&mut self, p: &RePiece, count: usize, at: usize, k: Cont<'_, 't>) {
        self.steps += 1;
        if self.over() {
            return;
        }
        if count < p.max {
            self.node(&p.node, at, &mut |s: &mut Self, next| {
                if next != at || count < p.min {
                    s.repeat(p, count + 1, next, k);
                }
            });
        }
        if count >= p.min && !self.over() {
            k(self, at);
        }
    }

    fn node(&mut self, n: &ReNode, at: usize, k: Cont<'_, 't>) {
        let text = self.text;
        match n {
            ReNode::Start if at == 0 => k(self, at),
            ReNode::End if at == text.len() => k(self, at),
            ReNode::Any if at < text.len() => k(self, at + 1),
            ReNode::Char(c) if text.get(at) == Some(c) => k(self, at + 1),
            ReNode::Class(ranges, negated, _, _) => {
                if let Some(&c) = text.get(at) {
                    if ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated {
                        k(self, at + 1);
                    }
                }
            }
            ReNode::Group(_, alts) => self.alts(alts, at, k),
            _ => {}
        }
    }
}

/// Whether the matcher's step budget may run out on this pattern and text.
fn may_exhaust_steps(alts: &[Vec<RePiece>], text: &[char]) -> bool {
    let mut b = StepBound { text, steps: 0 };
    for start in 0..=text.len() {
        b.alts(alts, start, &mut |_, _| {});
        if b.over() {
            return true;
        }
    }
    false
}

/// The endpoint rule engine's regex matcher, on patterns generated from its documented subset
/// (anchors, literals and escapes, `\w` `\d` `\s` `.`, sets with ranges, groups, `* + ?`). It must
/// terminate without panicking; with `differential`, it must agree with the `regex` crate wherever
/// its bounds (length, steps) do not decide.
pub fn regex(data: &[u8]) {
    // Input: the length L of the pattern's description, L bytes describing the pattern, then one
    // byte per character of the text (at most 300).
    let Some((&l, rest)) = data.split_first() else { return };
    let (pattern_bytes, text_bytes) = rest.split_at(usize::from(l).min(rest.len()));
    let alts = gen_alts(&mut Reader::new(pattern_bytes), 0);
    let (mut ours, mut reference) = (String::new(), String::new());
    render_alts(&alts, &mut ours, &mut reference);
    let text: Vec<char> =
        text_bytes.iter().take(300).map(|&b| REGEX_ALPHABET[usize::from(b) % REGEX_ALPHABET.len()]).collect();
    let text_str: String = text.iter().collect();
    let matched = stratus_runtime::__fuzz::regex_is_match(&ours, &text_str);
    let within_bounds = ours.chars().count() <= REGEX_MAX_LEN && text.len() <= REGEX_MAX_LEN;
    if !within_bounds {
        assert!(!matched, "pattern {ours:?} matched text {text_str:?} beyond the matcher's length bound");
    }
    #[cfg(feature = "differential")]
    if within_bounds {
        let Ok(re) = ::regex::Regex::new(&reference) else { return };
        let expected = re.is_match(&text_str);
        // A false from the matcher may be its step budget running out, unless the search is
        // provably shorter than the budget.
        if matched != expected && (matched || !may_exhaust_steps(&alts, &text)) {
            panic!("pattern {ours:?} (reference {reference:?}) on text {text_str:?}: matcher says {matched}, regex says {expected}");
        }
    }
    #[cfg(not(feature = "differential"))]
    let _ = (&reference, may_exhaust_steps as fn(&[Vec<RePiece>], &[char]) -> bool);
}

// ---------------------------------------------------------------------------------------------
// sigv4

/// Path characters: unreserved, sub-delimiters, `:`, `%` escapes (valid or not), dots and slashes.
const PATH_PIECES: &[&str] = &[
    "a",
    "b",
    "Z",
    "0",
    "-",
    "_",
    "~",
    ".",
    "..",
    "/",
    "//",
    "%",
    "%20",
    "%2F",
    "%3A",
    "%41",
    "%e1%88%b4",
    "%zz",
    ":",
    "!",
    "$",
    "'",
    "(",
    ")",
    "*",
    ",",
    ";",
    "=",
    "+",
    "arn%3Aaws%3Alambda",
    "functions",
    "2015-03-31",
];

/// Query characters. No `+`: aws-sigv4 reads the query as `application/x-www-form-urlencoded`
/// (`+` is a space) while we, like the SigV4 specification and the other AWS SDKs, keep a `+` as
/// itself (`%2B`). That difference is deliberate, so `+` is left out of the comparison.
const QUERY_PIECES: &[&str] = &[
    "a",
    "b",
    "Z",
    "0",
    "-",
    "_",
    "~",
    ".",
    "=",
    "&",
    "&&",
    "%",
    "%20",
    "%2B",
    "%3D",
    "%26",
    "%41",
    "%e1%88%b4",
    "%zz",
    "%4",
    ":",
    "/",
    "?",
    "!",
    "$",
    "'",
    "(",
    ")",
    "*",
    ",",
    ";",
    "@",
    "Marker",
    "MaxItems",
];

/// Header names (tokens); `host`, `x-amz-date`, `x-amz-security-token` and `x-amz-content-sha256`
/// are left to the signers, which set them.
const HEADER_NAMES: &[&str] = &[
    "content-type",
    "Content-Type",
    "x-amz-invocation-type",
    "X-Amz-Log-Type",
    "x-amz-client-context",
    "my-header",
    "MY-HEADER",
    "user-agent",
    "x-amz-user-agent",
    "x-amzn-trace-id",
    "authorization",
    "expect",
    "transfer-encoding",
    "connection",
    "te",
    "content-length",
    "a",
    "z",
];

/// Header value characters: visible ASCII and spaces. No tabs or other whitespace: aws-sigv4
/// trims and collapses spaces only, while we (like the specification's "trimall") treat every
/// whitespace character alike.
const HEADER_VALUE_PIECES: &[&str] =
    &["a", "Z", "0", " ", "  ", "-", ",", ";", "=", "\"", ":", "/", "application/json", "Event", "%41", "~", "é"];

fn gen_from(r: &mut Reader, pieces: &[&str], max: usize) -> String {
    let n = r.below(max + 1);
    (0..n).map(|_| r.pick(pieces)).collect()
}

/// Unreserved characters plus `/`, `+` and `=` (what secrets and tokens hold).
fn gen_secretish(r: &mut Reader, max: usize) -> String {
    const CHARS: &[u8] = b"abcXYZ0189+/=-_";
    let n = 1 + r.below(max);
    (0..n).map(|_| char::from(r.pick(CHARS))).collect()
}

/// The SigV4 signer: never panics; with `differential`, signatures equal those of `aws-sigv4` for
/// the same request, credentials, time, region and service (non-S3 settings: double-encoded path,
/// with and without normalisation, session token signed or not, optional `x-amz-content-sha256`).
pub fn sigv4(data: &[u8]) {
    use stratus_runtime::credentials::Credentials;
    use stratus_runtime::sigv4::{sha256_hex, SessionTokenMode, Signer, SigningParams, SigningSettings};
    use stratus_runtime::types::DateTime;

    let mut r = Reader::new(data);
    let flags = r.u8();
    let method = r.pick(&["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "X-CUSTOM"]);
    let scheme = if flags & 8 != 0 { "http" } else { "https" };
    let host = r.pick(&["lambda.us-east-1.amazonaws.com", "example.com", "127.0.0.1", "localhost", "a-b.c"]);
    let port = r.pick(&["", ":443", ":80", ":8080", ":5000"]);
    // An absolute path (as `http::Uri` has it); the raw `sign_parts` run below also sees it.
    let path = format!("/{}", gen_from(&mut r, PATH_PIECES, 12));
    let query = gen_from(&mut r, QUERY_PIECES, 12);
    // 1970-01-01 ..= 9999-12-31.
    let secs = (r.u64() % 253_402_300_800) as i64;
    let region = r.pick(&["us-east-1", "eu-west-3", "cn-north-1", "us-gov-west-1", "x", "a-b-c-9"]);
    let service = r.pick(&["lambda", "service", "s3-object-lambda", "execute-api"]);
    let access_key = gen_secretish(&mut r, 20);
    let secret = gen_secretish(&mut r, 40);
    let token = (flags & 16 != 0).then(|| gen_secretish(&mut r, 60));
    let mut headers: Vec<(String, String)> = Vec::new();
    for _ in 0..r.below(6) {
        let name = r.pick(HEADER_NAMES).to_string();
        let value = gen_from(&mut r, HEADER_VALUE_PIECES, 6);
        headers.push((name, value));
    }
    let body = r.rest();

    let settings = SigningSettings {
        normalize_path: flags & 1 == 0,
        session_token: if flags & 2 == 0 { SessionTokenMode::Signed } else { SessionTokenMode::Unsigned },
        content_sha256_header: flags & 4 != 0,
        ..SigningSettings::default()
    };
    let credentials = Credentials::new(access_key.clone(), secret.clone(), token.clone(), None, "fuzz");
    let time = DateTime::from_secs(secs);
    let params = SigningParams { credentials: &credentials, region, service, time, settings };
    let payload_hash = sha256_hex(body);
    let amz_date = stratus_runtime::sigv4::amz_date(time);
    let signer = Signer::new();

    let uri_text = if query.is_empty() {
        format!("{scheme}://{host}{port}{path}")
    } else {
        format!("{scheme}://{host}{port}{path}?{query}")
    };
    // Both signers read the request through `http::Uri`; a URI it rejects cannot be sent.
    let Ok(uri) = uri_text.parse::<http::Uri>() else {
        // Still sign the raw parts: no panic on any path or query.
        let hs = [("host", host), ("x-amz-date", amz_date.as_str())];
        let _ = signer.sign_parts(method, &path, &query, &hs, &payload_hash, &amz_date, &params);
        return;
    };

    // Ours, through the request the client builds (host from the URI, x-amz-date, token...).
    let mut request = http::Request::builder().method(method).uri(uri.clone());
    for (n, v) in &headers {
        request = request.header(n.as_str(), v.as_str());
    }
    let Ok(request) = request.body(()) else { return };
    let (mut parts, ()) = request.into_parts();
    let Ok(ours) = signer.sign(&mut parts, &payload_hash, &params) else { return };

    // Ours again, through `sign_parts` with the headers as the client has them after `sign`.
    let signed_headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter(|(n, _)| {
            // An unsigned token is added after signing: leave it out, as `sign` did.
            n.as_str() != "authorization"
                && (settings.session_token == SessionTokenMode::Signed || n.as_str() != "x-amz-security-token")
        })
        .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let direct = signer.sign_parts(
        method,
        uri.path(),
        uri.query().unwrap_or_default(),
        &signed_headers,
        &payload_hash,
        &amz_date,
        &params,
    );
    assert_eq!(direct.signature, ours.signature, "sign and sign_parts disagree on the same request");

    #[cfg(feature = "differential")]
    {
        let reference = aws::sign(aws::Request {
            method,
            uri: &uri_text,
            headers: &headers,
            body,
            access_key: &access_key,
            secret: &secret,
            token: token.as_deref(),
            region,
            service,
            secs,
            normalize_path: settings.normalize_path,
            token_signed: settings.session_token == SessionTokenMode::Signed,
            content_sha256_header: settings.content_sha256_header,
        });
        if let Some(reference) = reference {
            assert_eq!(
                ours.signature, reference,
                "signature differs from aws-sigv4\nURI {uri_text:?}\nheaders {headers:?}\nour canonical request:\n{}",
                ours.canonical_request
            );
        }
    }
}

#[cfg(feature = "differential")]
mod aws {
    use aws_sigv4::http_request::{
        sign as aws_sign, PayloadChecksumKind, SessionTokenMode, SignableBody, SignableRequest, SigningSettings,
        UriPathNormalizationMode,
    };
    use aws_sigv4::sign::v4;
    use std::time::{Duration, SystemTime};

    pub struct Request<'a> {
        pub method: &'a str,
        pub uri: &'a str,
        pub headers: &'a [(String, String)],
        pub body: &'a [u8],
        pub access_key: &'a str,
        pub secret: &'a str,
        pub token: Option<&'a str>,
        pub region: &'a str,
        pub service: &'a str,
        pub secs: i64,
        pub normalize_path: bool,
        pub token_signed: bool,
        pub content_sha256_header: bool,
    }

    /// The signature aws-sigv4 computes; `None` when it refuses the request.
    pub fn sign(req: Request<'_>) -> Option<String> {
        let identity: aws_smithy_runtime_api::client::identity::Identity = aws_credential_types::Credentials::new(
            req.access_key,
            req.secret,
            req.token.map(str::to_string),
            None,
            "fuzz",
        )
        .into();
        let mut settings = SigningSettings::default();
        settings.uri_path_normalization_mode =
            if req.normalize_path { UriPathNormalizationMode::Enabled } else { UriPathNormalizationMode::Disabled };
        settings.session_token_mode =
            if req.token_signed { SessionTokenMode::Include } else { SessionTokenMode::Exclude };
        settings.payload_checksum_kind =
            if req.content_sha256_header { PayloadChecksumKind::XAmzSha256 } else { PayloadChecksumKind::NoHeader };
        // Our list of headers never signed (aws-sigv4's default list is a subset of it): which
        // hop-by-hop headers to leave unsigned is a choice, not a canonicalisation rule.
        settings.excluded_headers = Some(
            ["authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "connection", "te"]
                .into_iter()
                .map(std::borrow::Cow::Borrowed)
                .collect(),
        );
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(req.secs as u64);
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(req.region)
            .name(req.service)
            .time(time)
            .settings(settings)
            .build()
            .ok()?
            .into();
        let signable = SignableRequest::new(
            req.method,
            req.uri,
            req.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            SignableBody::Bytes(req.body),
        )
        .ok()?;
        let out = aws_sign(signable, &params).ok()?;
        Some(out.signature().to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// model

/// A scratch directory of this process, for models with paginators or waiters.
fn scratch_dir() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("stratus-fuzz-model-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    })
}

/// The model loader and the IR on mutated models: never panic, never overflow the stack. Input:
/// `service-2.json`, optionally followed by NUL + `paginators-1.json` and NUL + `waiters-2.json`.
/// Without paginators or waiters the model is parsed in memory; with them it is written to a
/// scratch directory and read by `ServiceModel::load`, the generator's own path.
pub fn model(data: &[u8]) {
    use stratus_codegen::model::{self, ServiceModel};
    let mut parts = data.splitn(3, |&b| b == 0);
    let service = parts.next().unwrap_or_default();
    let paginators = parts.next().unwrap_or_default();
    let waiters = parts.next().unwrap_or_default();
    let loaded = if paginators.is_empty() && waiters.is_empty() {
        let Ok(text) = std::str::from_utf8(service) else { return };
        let file = std::path::Path::new("service-2.json");
        let Ok(service) = model::parse_json::<model::Service>(file, text) else { return };
        if model::validate_service(file, &service).is_err() {
            return;
        }
        ServiceModel {
            dir: std::path::PathBuf::from("fuzz"),
            service,
            paginators: Default::default(),
            waiters: Default::default(),
            examples: Default::default(),
            endpoint_rules: None,
            endpoint_rules_json: None,
        }
    } else {
        let dir = scratch_dir();
        for (name, text) in
            [("service-2.json", service), ("paginators-1.json", paginators), ("waiters-2.json", waiters)]
        {
            let file = dir.join(name);
            if text.is_empty() {
                let _ = std::fs::remove_file(&file);
            } else {
                std::fs::write(&file, text).expect("write the scratch model");
            }
        }
        match ServiceModel::load(dir) {
            Ok(m) => m,
            Err(e) => {
                let _ = e.to_string();
                return;
            }
        }
    };
    if let Err(e) = stratus_codegen::ir::build(&loaded) {
        let _ = e.to_string();
    }
}

// ---------------------------------------------------------------------------------------------
// jmespath

/// The waiter JMESPath parser: never panics (nor overflows the stack) on any text.
pub fn jmespath(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = stratus_codegen::jmespath::parse(s);
}
