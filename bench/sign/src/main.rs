//! SigV4 signing of a typical Lambda request (POST Invoke on a function ARN, JSON body, three
//! headers): ours against the aws-sigv4 crate. Prints `ours_ns=.. sdk_ns=..` per signature, the
//! median of 5 rounds of N signatures each.
//!
//! Each side signs from what its client holds when it signs: Stratus's client has the method, path,
//! query and headers apart (it built them), and calls `Signer::sign_parts`; aws-sigv4 takes the URI
//! as text and the headers, and parses. Both hash the body and format the date on every signature.

use std::time::{Instant, SystemTime};

const URI: &str = "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-function/invocations";
const BODY: &[u8] = br#"{"key":"value","n":42}"#;

fn ours(n: u32) -> f64 {
    use stratus_runtime::sigv4::{amz_date, sha256_hex, Signer, SigningParams, SigningSettings};
    let creds = stratus_runtime::credentials::Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "b",
    );
    let signer = Signer::new();
    // The request as a client holds it before sending: method, path and query already apart (the
    // client built them), and the headers it will send.
    let (path, query) = URI.split_once(".com").map(|(_, p)| (p, "")).unwrap_or(("/", ""));
    let start = Instant::now();
    for _ in 0..n {
        let time = stratus_runtime::types::DateTime::now();
        let date = amz_date(time);
        let headers = [
            ("content-type", "application/json"),
            ("host", "lambda.us-east-1.amazonaws.com"),
            ("x-amz-date", date.as_str()),
            ("x-amz-invocation-type", "RequestResponse"),
            ("user-agent", "bench"),
        ];
        let params = SigningParams {
            credentials: &creds,
            region: "us-east-1",
            service: "lambda",
            time,
            settings: SigningSettings::default(),
        };
        let out = signer.sign_parts("POST", path, query, &headers, &sha256_hex(BODY), &date, &params);
        std::hint::black_box(out);
    }
    start.elapsed().as_nanos() as f64 / f64::from(n)
}

fn sdk(n: u32) -> f64 {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;
    let identity: aws_smithy_runtime_api::client::identity::Identity = aws_credential_types::Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "b",
    )
    .into();
    let start = Instant::now();
    for _ in 0..n {
        let headers = [
            ("content-type", "application/json"),
            ("x-amz-invocation-type", "RequestResponse"),
            ("user-agent", "bench"),
        ];
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("lambda")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let signable = SignableRequest::new("POST", URI, headers.into_iter(), SignableBody::Bytes(BODY)).unwrap();
        let out = sign(signable, &params).unwrap();
        std::hint::black_box(out);
    }
    start.elapsed().as_nanos() as f64 / f64::from(n)
}

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

fn main() {
    let n: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    // Warm up both.
    ours(1000);
    sdk(1000);
    let mut a = Vec::new();
    let mut b = Vec::new();
    for _ in 0..5 {
        a.push(ours(n));
        b.push(sdk(n));
    }
    let (a0, a1, a2) = median(a);
    let (b0, b1, b2) = median(b);
    println!("ours_ns={a0:.0}/{a1:.0}/{a2:.0} sdk_ns={b0:.0}/{b1:.0}/{b2:.0}");
}
