//! Paginators whose results are a map, or several lists (the `paginators` fixture), against a fake
//! that serves two pages.

use bytes::Bytes;
use std::sync::Arc;
use stratus_runtime::credentials::Credentials;
use stratus_runtime::http::{Body, CaptureClient};
use stratus_runtime::Config;

/// A fake answering the first request with `first` and the follow-up (with `nextToken=t`) with
/// `second`.
fn client(first: &'static str, second: &'static str) -> (fixture_paginators::Client, Arc<CaptureClient>) {
    let fake = Arc::new(CaptureClient::new(move |req| {
        let body = if req.uri().query().unwrap_or_default().contains("nextToken=t") { second } else { first };
        Ok(http::Response::new(Body::from_bytes(Bytes::from_static(body.as_bytes()))))
    }));
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .http_client(fake.clone())
        .build()
        .unwrap();
    (fixture_paginators::Client::new(&config), fake)
}

#[tokio::test]
async fn a_map_result_yields_its_entries() {
    use fixture_paginators::types::Kind;
    let (c, fake) = client(r#"{"Usage":{"read":1,"write":2},"NextToken":"t"}"#, r#"{"Usage":{"read":3}}"#);
    let mut items = c.list_usage().max_results(2).into_paginator().items();
    let mut got = Vec::new();
    while let Some(item) = items.next_item().await {
        got.push(item.unwrap());
    }
    got.sort_by_key(|(k, v)| (k.as_str().to_string(), *v));
    assert_eq!(got, [(Kind::Read, 1), (Kind::Read, 3), (Kind::Write, 2)]);
    assert_eq!(fake.count(), 2);
}

#[tokio::test]
async fn several_lists_of_one_type_are_chained_and_of_several_types_paged() {
    let (c, _) = client(r#"{"Given":["a"],"Family":["b"],"NextToken":"t"}"#, r#"{"Given":["c"]}"#);
    let mut items = c.list_names().into_paginator().items();
    let mut got = Vec::new();
    while let Some(item) = items.next_item().await {
        got.push(item.unwrap());
    }
    assert_eq!(got, ["a", "b", "c"]);
    // Folders and documents: pages only (there is no single item type).
    let (c, fake) = client(
        r#"{"Folders":[{"Name":"f"}],"Documents":[{"Title":"d"}],"NextToken":"t"}"#,
        r#"{"Documents":[{"Title":"e"}]}"#,
    );
    let mut pages = c.list_contents().into_paginator().pages();
    let mut titles = Vec::new();
    while let Some(page) = pages.next_page().await {
        titles.extend(page.unwrap().documents.unwrap_or_default().into_iter().filter_map(|d| d.title));
    }
    assert_eq!(titles, ["d", "e"]);
    assert_eq!(fake.count(), 2);
}

#[tokio::test]
async fn a_nested_result_path_is_followed() {
    let (c, fake) = client(r#"{"Result":{"Versions":[{"Id":"1"},{"Id":"2"}]},"NextToken":"t"}"#, r#"{"Result":{}}"#);
    let mut items = c.list_versions().into_paginator().items();
    let mut ids = Vec::new();
    while let Some(item) = items.next_item().await {
        ids.extend(item.unwrap().id);
    }
    assert_eq!(ids, ["1", "2"]);
    assert_eq!(fake.count(), 2);
}

/// A fake answering with the page `respond` picks from the request's query string.
fn paging(respond: fn(&str) -> &'static str) -> (fixture_paginators::Client, Arc<CaptureClient>) {
    let fake = Arc::new(CaptureClient::new(move |req| {
        let body = respond(req.uri().query().unwrap_or_default());
        Ok(http::Response::new(Body::from_bytes(Bytes::from_static(body.as_bytes()))))
    }));
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .http_client(fake.clone())
        .build()
        .unwrap();
    (fixture_paginators::Client::new(&config), fake)
}

#[tokio::test]
async fn a_token_is_the_next_marker_or_else_the_last_items_key() {
    // Page 1 names its next marker; page 2 does not, so the token is its last key; page 3 ends.
    let (c, fake) = paging(|q| match q {
        "" => r#"{"Contents":[{"Key":"a"}],"NextMarker":"m1"}"#,
        "marker=m1" => r#"{"Contents":[{"Key":"b"},{"Key":"c"}]}"#,
        "marker=c" => r#"{"Contents":[]}"#,
        _ => r#"{"unexpected":true}"#,
    });
    let mut items = c.list_objects().into_paginator().items();
    let mut keys = Vec::new();
    while let Some(item) = items.next_item().await {
        keys.push(item.unwrap().key.unwrap());
    }
    assert_eq!(keys, ["a", "b", "c"]);
    let queries: Vec<String> =
        fake.requests().iter().map(|r| r.uri().query().unwrap_or_default().to_string()).collect();
    assert_eq!(queries, ["", "marker=m1", "marker=c"]);
}

#[tokio::test]
async fn two_tokens_travel_together_and_one_may_be_nested() {
    let (c, fake) = paging(|q| {
        if q.is_empty() {
            r#"{"Uploads":["u1"],"NextKeyMarker":"k1","Page":{"NextUploadIdMarker":"i1"}}"#
        } else if q.contains("key-marker=k1") && q.contains("upload-id-marker=i1") {
            // Only the key marker is left: still a next page.
            r#"{"Uploads":["u2"],"NextKeyMarker":"k2"}"#
        } else if q == "key-marker=k2" {
            r#"{"Uploads":["u3"]}"#
        } else {
            r#"{"unexpected":true}"#
        }
    });
    let mut items = c.list_uploads().into_paginator().items();
    let mut got = Vec::new();
    while let Some(item) = items.next_item().await {
        got.push(item.unwrap());
    }
    assert_eq!(got, ["u1", "u2", "u3"]);
    assert_eq!(fake.count(), 3, "no request after both tokens are absent");
}
