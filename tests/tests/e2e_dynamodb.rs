//! DynamoDB end to end against moto, through the generated `stratus-dynamodb` client (JSON 1.0).
//! `cargo xtask test` runs it with `STRATUS_MOTO_URL` set; alone it is ignored.

use std::time::Duration;
use stratus_dynamodb::error::{PutItemError, TransactWriteItemsError};
use stratus_dynamodb::types::*;
use stratus_dynamodb::Client;
use stratus_runtime::credentials::Credentials;
use stratus_runtime::types::Blob;
use stratus_runtime::types::IndexMap;
use stratus_runtime::Config;

fn client() -> Client {
    let url = std::env::var("STRATUS_MOTO_URL")
        .expect("STRATUS_MOTO_URL is not set: these tests need moto; run them with `cargo xtask test`");
    let config = Config::builder()
        .endpoint_url(url)
        .region("us-east-1")
        .credentials(Credentials::new("testing", "testing", None, None, "test"))
        .build()
        .unwrap();
    Client::new(&config)
}

fn s(v: &str) -> AttributeValue {
    AttributeValue { s: Some(v.into()), ..Default::default() }
}

fn n(v: i64) -> AttributeValue {
    AttributeValue { n: Some(v.to_string()), ..Default::default() }
}

fn key(pk: &str, sk: i64) -> IndexMap<String, AttributeValue> {
    IndexMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), n(sk))])
}

/// A table keyed by (`pk` string, `sk` number), on demand; waits until it exists.
async fn table(db: &Client, name: &str) {
    let attribute =
        |name: &str, t: ScalarAttributeType| AttributeDefinition { attribute_name: name.into(), attribute_type: t };
    db.create_table()
        .table_name(name)
        .attribute_definitions(vec![attribute("pk", ScalarAttributeType::S), attribute("sk", ScalarAttributeType::N)])
        .key_schema(vec![
            KeySchemaElement { attribute_name: "pk".into(), key_type: KeyType::Hash },
            KeySchemaElement { attribute_name: "sk".into(), key_type: KeyType::Range },
        ])
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    let waited = db.wait_until_table_exists().table_name(name).wait(Duration::from_secs(60)).await.unwrap();
    let status = waited.result.unwrap().table.unwrap().table_status;
    assert_eq!(status, Some(TableStatus::Active));
}

async fn drop_table(db: &Client, name: &str) {
    db.delete_table().table_name(name).send().await.unwrap();
    db.wait_until_table_not_exists().table_name(name).wait(Duration::from_secs(60)).await.unwrap();
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn items_of_every_attribute_kind_round_trip_and_conditions_fail_typed() {
    let db = client();
    let name = format!("stratus-e2e-items-{}", std::process::id());
    table(&db, &name).await;

    let item = IndexMap::from([
        ("pk".to_string(), s("all-kinds")),
        ("sk".to_string(), n(1)),
        ("s".to_string(), s("text ✓")),
        ("n".to_string(), AttributeValue { n: Some("-12.5e3".into()), ..Default::default() }),
        ("b".to_string(), AttributeValue { b: Some(Blob::from(vec![0u8, 1, 254, 255])), ..Default::default() }),
        ("ss".to_string(), AttributeValue { ss: Some(vec!["a".into(), "b".into()]), ..Default::default() }),
        ("ns".to_string(), AttributeValue { ns: Some(vec!["1".into(), "2.5".into()]), ..Default::default() }),
        ("bs".to_string(), AttributeValue { bs: Some(vec![Blob::from("x"), Blob::from("y")]), ..Default::default() }),
        (
            "m".to_string(),
            AttributeValue {
                m: Some(IndexMap::from([("inner".to_string(), s("v")), ("deep".to_string(), n(7))])),
                ..Default::default()
            },
        ),
        (
            "l".to_string(),
            AttributeValue {
                l: Some(vec![s("one"), n(2), AttributeValue { bool: Some(true), ..Default::default() }]),
                ..Default::default()
            },
        ),
        ("null".to_string(), AttributeValue { null: Some(true), ..Default::default() }),
        ("bool".to_string(), AttributeValue { bool: Some(false), ..Default::default() }),
    ]);
    db.put_item().table_name(&name).item(item.clone()).send().await.unwrap();
    let got = db.get_item().table_name(&name).key(key("all-kinds", 1)).consistent_read(true).send().await.unwrap();
    let got = got.item.unwrap();
    for (k, v) in &item {
        let mut want = v.clone();
        let mut have = got[k].clone();
        // Sets have no order.
        for values in [&mut want.ss, &mut have.ss, &mut want.ns, &mut have.ns].into_iter().flatten() {
            values.sort();
        }
        if let (Some(a), Some(b)) = (&mut want.bs, &mut have.bs) {
            a.sort_by(|x, y| x.as_bytes().cmp(y.as_bytes()));
            b.sort_by(|x, y| x.as_bytes().cmp(y.as_bytes()));
        }
        assert_eq!(have, want, "attribute {k}");
    }

    // Update with an expression, returning the new values.
    let updated = db
        .update_item()
        .table_name(&name)
        .key(key("all-kinds", 1))
        .update_expression("SET #c = :one, s = :s REMOVE #b")
        .expression_attribute_names(IndexMap::from([
            ("#c".to_string(), "count".to_string()),
            ("#b".to_string(), "bool".to_string()),
        ]))
        .expression_attribute_values(IndexMap::from([(":one".to_string(), n(1)), (":s".to_string(), s("changed"))]))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .unwrap();
    let attributes = updated.attributes.unwrap();
    assert_eq!(attributes["count"], n(1));
    assert_eq!(attributes["s"], s("changed"));
    assert!(!attributes.contains_key("bool"));

    // A conditional write that fails: the typed error.
    let err = db
        .put_item()
        .table_name(&name)
        .item(key("all-kinds", 1))
        .condition_expression("attribute_not_exists(pk)")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err.service_error(), Some(PutItemError::ConditionalCheckFailedException(_))),
        "{err} (code {:?})",
        err.code()
    );

    db.delete_item().table_name(&name).key(key("all-kinds", 1)).send().await.unwrap();
    let gone = db.get_item().table_name(&name).key(key("all-kinds", 1)).send().await.unwrap();
    assert!(gone.item.is_none());
    drop_table(&db, &name).await;
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn batches_transactions_and_paginated_queries_and_scans_over_1200_items() {
    let db = client();
    let name = format!("stratus-e2e-pages-{}", std::process::id());
    table(&db, &name).await;

    // 1,200 items in batches of 25.
    let all: Vec<IndexMap<String, AttributeValue>> = (0..1200)
        .map(|i| {
            let mut item = key(if i % 2 == 0 { "even" } else { "odd" }, i);
            item.insert("payload".into(), s(&"x".repeat(100)));
            item
        })
        .collect();
    for chunk in all.chunks(25) {
        let writes = chunk
            .iter()
            .map(|item| WriteRequest { put_request: Some(PutRequest { item: item.clone() }), ..Default::default() })
            .collect();
        let out = db.batch_write_item().request_items(IndexMap::from([(name.clone(), writes)])).send().await.unwrap();
        assert!(out.unprocessed_items.unwrap_or_default().values().all(Vec::is_empty));
    }

    // Query pages of 100 through the map-valued LastEvaluatedKey.
    let mut pages = db
        .query()
        .table_name(&name)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(IndexMap::from([(":pk".to_string(), s("even"))]))
        .limit(100)
        .into_paginator()
        .pages();
    let (mut page_count, mut seen) = (0, Vec::new());
    while let Some(page) = pages.next_page().await {
        let page = page.unwrap();
        page_count += 1;
        for item in page.items.unwrap_or_default() {
            seen.push(item["sk"].n.clone().unwrap().parse::<i64>().unwrap());
        }
    }
    assert_eq!(seen.len(), 600);
    assert!(page_count >= 6, "{page_count} pages");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "sort key order");

    // Scan every item, as items.
    let mut items = db.scan().table_name(&name).limit(250).into_paginator().items();
    let mut count = 0;
    while let Some(item) = items.next_item().await {
        item.unwrap();
        count += 1;
    }
    assert_eq!(count, 1200);

    // Batch read.
    let keys = KeysAndAttributes { keys: vec![key("odd", 1), key("odd", 3), key("even", 4)], ..Default::default() };
    let got = db.batch_get_item().request_items(IndexMap::from([(name.clone(), keys)])).send().await.unwrap();
    assert_eq!(got.responses.unwrap()[&name].len(), 3);

    // A transaction that commits, and one that is cancelled by its condition.
    let put = |pk: &str, sk: i64| TransactWriteItem {
        put: Some(Put { table_name: name.clone(), item: key(pk, sk), ..Default::default() }),
        ..Default::default()
    };
    db.transact_write_items().transact_items(vec![put("tx", 1), put("tx", 2)]).send().await.unwrap();
    let read = db
        .transact_get_items()
        .transact_items(vec![
            TransactGetItem { get: Get { table_name: name.clone(), key: key("tx", 1), ..Default::default() } },
            TransactGetItem { get: Get { table_name: name.clone(), key: key("tx", 2), ..Default::default() } },
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(read.responses.unwrap().iter().filter(|r| r.item.is_some()).count(), 2);
    let conditional = TransactWriteItem {
        put: Some(Put {
            table_name: name.clone(),
            item: key("tx", 1),
            condition_expression: Some("attribute_not_exists(pk)".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let err = db.transact_write_items().transact_items(vec![conditional, put("tx", 3)]).send().await.unwrap_err();
    assert!(
        matches!(err.service_error(), Some(TransactWriteItemsError::TransactionCanceledException(_))),
        "{err} (code {:?})",
        err.code()
    );
    let third = db.get_item().table_name(&name).key(key("tx", 3)).send().await.unwrap();
    assert!(third.item.is_none(), "a cancelled transaction writes nothing");

    drop_table(&db, &name).await;
}
