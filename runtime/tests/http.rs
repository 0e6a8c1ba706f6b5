//! The default transport and the capturing fake.

mod common;

use bytes::Bytes;
use common::{ok, serve};
use stratus_runtime::http::{Body, CaptureClient, HttpClient, HttpErrorKind, HttpSettings, HyperClient};

#[tokio::test]
async fn plain_http_round_trip_with_pooled_client() {
    let server = serve(|n, req| ok(&format!("{n} {} {}", req.method, req.path))).await;
    let client = HyperClient::new(HttpSettings::default()).unwrap();
    for i in 0..3 {
        let req = http::Request::post(format!("{}/x?y=1", server.url)).body(Bytes::from_static(b"{}")).unwrap();
        let resp = client.call(req).await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.into_body().collect().await.unwrap(), format!("{i} POST /x?y=1"));
    }
}

#[tokio::test]
async fn tls_to_a_plain_port_fails_cleanly() {
    // An HTTPS request to a server that does not speak TLS: an error, not a hang or a panic.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        if let Ok((mut sock, _)) = listener.accept().await {
            let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
        }
    });
    let client = HyperClient::new(HttpSettings::default()).unwrap();
    let err = client.call(http::Request::get(url).body(Bytes::new()).unwrap()).await.unwrap_err();
    assert!(matches!(err.kind, HttpErrorKind::Connect | HttpErrorKind::Io), "{err}");
}

#[tokio::test]
async fn capture_client_records_and_answers() {
    let fake = CaptureClient::always(202, "{\"ok\":true}");
    let req = http::Request::put("https://lambda.us-east-1.amazonaws.com/a")
        .header("x-test", "1")
        .body(Bytes::from_static(b"body"))
        .unwrap();
    let resp = fake.call(req).await.unwrap();
    assert_eq!(resp.status(), 202);
    assert_eq!(resp.into_body().collect().await.unwrap(), Bytes::from_static(b"{\"ok\":true}"));
    let seen = fake.requests();
    assert_eq!(fake.count(), 1);
    assert_eq!(seen[0].method(), "PUT");
    assert_eq!(seen[0].headers()["x-test"], "1");
    assert_eq!(seen[0].body(), &Bytes::from_static(b"body"));
}

#[tokio::test]
async fn chunked_bodies_surface_errors() {
    let mut body = Body::from_chunks([
        Ok(Bytes::from_static(b"ab")),
        Err(stratus_runtime::http::HttpError::new(HttpErrorKind::Io, "reset")),
    ]);
    assert_eq!(body.next_chunk().await.unwrap().unwrap(), Bytes::from_static(b"ab"));
    assert!(body.next_chunk().await.unwrap().is_err());
    let all = Body::from_chunks([Ok(Bytes::from_static(b"a")), Ok(Bytes::from_static(b"b"))]).collect().await.unwrap();
    assert_eq!(all, Bytes::from_static(b"ab"));
}
