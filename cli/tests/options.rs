//! Global options the AWS CLI comparison cannot see (they change what is sent, or what goes to
//! standard error): `--no-sign-request`, `--debug` (secrets never shown), `--cli-read-timeout`.
//! A one-shot HTTP server on loopback records what `stratus` sends.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

const STS_ANSWER: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/u</Arn><UserId>U</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";

/// Serves one request with `answer` (or never answers when `None`); returns the URL and a handle
/// giving the request's text.
fn server(answer: Option<&'static str>) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = Vec::new();
        while !String::from_utf8_lossy(&got).contains("\r\n\r\n") {
            let n = socket.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        match answer {
            Some(body) => {
                let _ = write!(
                    socket,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
            None => std::thread::sleep(Duration::from_secs(4)),
        }
        String::from_utf8_lossy(&got).into_owned()
    });
    (url, handle)
}

fn stratus(args: &[&str]) -> std::process::Output {
    let home = std::env::temp_dir().join(format!("stratus-cli-options-{}", std::process::id()));
    Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args(args)
        .env_clear()
        .env("HOME", &home)
        .env("AWS_ACCESS_KEY_ID", "AKIDOPTIONS")
        .env("AWS_SECRET_ACCESS_KEY", "secret-key-never-shown")
        .env("AWS_SESSION_TOKEN", "session-token-never-shown")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap()
}

#[test]
fn requests_are_signed_unless_no_sign_request() {
    let (url, seen) = server(Some(STS_ANSWER));
    let out = stratus(&["sts", "get-caller-identity", "--endpoint-url", &url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let request = seen.join().unwrap().to_ascii_lowercase();
    assert!(request.contains("authorization: aws4-hmac-sha256 credential=akidoptions/"), "{request}");

    let (url, seen) = server(Some(STS_ANSWER));
    let out = stratus(&["sts", "get-caller-identity", "--endpoint-url", &url, "--no-sign-request"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let request = seen.join().unwrap().to_ascii_lowercase();
    assert!(!request.contains("authorization:") && !request.contains("x-amz-security-token"), "{request}");
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["Account"], "1");
}

#[test]
fn debug_traces_requests_without_secrets() {
    let (url, seen) = server(Some(STS_ANSWER));
    let out = stratus(&["sts", "get-caller-identity", "--endpoint-url", &url, "--debug"]);
    assert!(out.status.success());
    let _ = seen.join();
    let trace = String::from_utf8_lossy(&out.stderr);
    assert!(trace.contains("DEBUG request: POST") && trace.contains("DEBUG response: 200"), "{trace}");
    assert!(trace.contains("authorization: ***") && trace.contains("x-amz-security-token: ***"), "{trace}");
    assert!(!trace.contains("never-shown") && !trace.contains("Signature="), "{trace}");
}

#[test]
fn the_read_timeout_bounds_a_server_that_never_answers() {
    let (url, seen) = server(None);
    let start = Instant::now();
    let out = stratus(&["sts", "get-caller-identity", "--endpoint-url", &url, "--cli-read-timeout", "1"]);
    let took = start.elapsed();
    let _ = seen.join();
    assert_eq!(out.status.code(), Some(255), "{}", String::from_utf8_lossy(&out.stderr));
    // Three attempts of 1 s each and their backoff, where the default (60 s) would take minutes.
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[cfg(unix)]
#[test]
fn an_interrupted_call_exits_130() {
    let (url, seen) = server(None);
    let home = std::env::temp_dir().join(format!("stratus-cli-interrupt-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_stratus"))
        .args(["sts", "get-caller-identity", "--endpoint-url", &url])
        .env_clear()
        .env("HOME", &home)
        .env("AWS_ACCESS_KEY_ID", "AKID")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .spawn()
        .unwrap();
    // Once the request is in flight, Ctrl-C.
    std::thread::sleep(Duration::from_millis(700));
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    let _ = seen.join();
    assert_eq!(status.code(), Some(130), "{status:?}");
}
