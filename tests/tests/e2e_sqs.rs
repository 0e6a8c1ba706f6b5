//! SQS end to end against moto, through the generated `stratus-sqs` client (JSON 1.0, query
//! compatible). `cargo xtask test` runs it with `STRATUS_MOTO_URL` set; alone it is ignored.

use stratus_runtime::credentials::Credentials;
use stratus_runtime::types::Blob;
use stratus_runtime::types::IndexMap;
use stratus_runtime::Config;
use stratus_sqs::error::GetQueueUrlError;
use stratus_sqs::types::*;
use stratus_sqs::Client;

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

fn text_attribute(value: &str) -> MessageAttributeValue {
    MessageAttributeValue { data_type: "String".into(), string_value: Some(value.into()), ..Default::default() }
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn queues_are_created_listed_tagged_and_deleted() {
    let sqs = client();
    let name = format!("stratus-e2e-q-{}", std::process::id());
    let created = sqs
        .create_queue()
        .queue_name(&name)
        .attributes(IndexMap::from([(QueueAttributeName::VisibilityTimeout, "45".to_string())]))
        .tags(IndexMap::from([("team".to_string(), "stratus".to_string())]))
        .send()
        .await
        .unwrap();
    let url = created.queue_url.unwrap();
    assert!(url.ends_with(&name), "{url}");

    let listed = sqs.list_queues().queue_name_prefix("stratus-e2e-q-").send().await.unwrap();
    assert!(listed.queue_urls.unwrap_or_default().contains(&url));
    let got = sqs.get_queue_url().queue_name(&name).send().await.unwrap();
    assert_eq!(got.queue_url.as_deref(), Some(url.as_str()));

    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(vec![QueueAttributeName::All])
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attrs.get(&QueueAttributeName::VisibilityTimeout).map(String::as_str), Some("45"));

    sqs.tag_queue()
        .queue_url(&url)
        .tags(IndexMap::from([("env".to_string(), "test".to_string())]))
        .send()
        .await
        .unwrap();
    let tags = sqs.list_queue_tags().queue_url(&url).send().await.unwrap().tags.unwrap();
    assert_eq!(tags.get("team").map(String::as_str), Some("stratus"));
    assert_eq!(tags.get("env").map(String::as_str), Some("test"));
    sqs.untag_queue().queue_url(&url).tag_keys(vec!["env".to_string()]).send().await.unwrap();
    let tags = sqs.list_queue_tags().queue_url(&url).send().await.unwrap().tags.unwrap();
    assert!(!tags.contains_key("env"));

    sqs.delete_queue().queue_url(&url).send().await.unwrap();
    // A queue that does not exist: the modeled error, through the query-compatible path.
    let err = sqs.get_queue_url().queue_name(&name).send().await.unwrap_err();
    assert!(
        matches!(err.service_error(), Some(GetQueueUrlError::QueueDoesNotExist(_))),
        "{err} (code {:?})",
        err.code()
    );
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn messages_are_sent_received_and_deleted_singly_and_in_batches() {
    let sqs = client();
    let name = format!("stratus-e2e-m-{}", std::process::id());
    let url = sqs.create_queue().queue_name(&name).send().await.unwrap().queue_url.unwrap();

    let sent = sqs
        .send_message()
        .queue_url(&url)
        .message_body("hello")
        .message_attributes(IndexMap::from([
            ("lang".to_string(), text_attribute("en")),
            (
                "raw".to_string(),
                MessageAttributeValue {
                    data_type: "Binary".into(),
                    binary_value: Some(Blob::from(vec![0u8, 159, 255])),
                    ..Default::default()
                },
            ),
        ]))
        .send()
        .await
        .unwrap();
    assert!(sent.message_id.is_some() && sent.md5_of_message_body.is_some());

    let batch: Vec<SendMessageBatchRequestEntry> = (0..3)
        .map(|i| SendMessageBatchRequestEntry {
            id: format!("m{i}"),
            message_body: format!("batch {i}"),
            ..Default::default()
        })
        .collect();
    let sent = sqs.send_message_batch().queue_url(&url).entries(batch).send().await.unwrap();
    assert_eq!(sent.successful.len(), 3);
    assert!(sent.failed.is_empty());

    // Receive everything (at most 10 per call), with attributes.
    let mut received = Vec::new();
    for _ in 0..5 {
        let page = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .message_attribute_names(vec!["All".to_string()])
            .visibility_timeout(30)
            .send()
            .await
            .unwrap();
        received.extend(page.messages.unwrap_or_default());
        if received.len() >= 4 {
            break;
        }
    }
    assert_eq!(received.len(), 4);
    let hello = received.iter().find(|m| m.body.as_deref() == Some("hello")).expect("the single message");
    let attributes = hello.message_attributes.as_ref().unwrap();
    assert_eq!(attributes["lang"].string_value.as_deref(), Some("en"));
    assert_eq!(attributes["raw"].binary_value.as_ref().map(|b| b.as_bytes().to_vec()), Some(vec![0u8, 159, 255]));

    // Visibility: a message made visible again can be received again.
    sqs.change_message_visibility()
        .queue_url(&url)
        .receipt_handle(hello.receipt_handle.clone().unwrap())
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let again = sqs.receive_message().queue_url(&url).max_number_of_messages(10).send().await.unwrap();
    let again = again.messages.unwrap_or_default();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].body.as_deref(), Some("hello"));

    sqs.delete_message().queue_url(&url).receipt_handle(again[0].receipt_handle.clone().unwrap()).send().await.unwrap();
    let entries: Vec<DeleteMessageBatchRequestEntry> = received
        .iter()
        .filter(|m| m.body.as_deref() != Some("hello"))
        .enumerate()
        .map(|(i, m)| DeleteMessageBatchRequestEntry {
            id: format!("d{i}"),
            receipt_handle: m.receipt_handle.clone().unwrap(),
        })
        .collect();
    let deleted = sqs.delete_message_batch().queue_url(&url).entries(entries).send().await.unwrap();
    assert_eq!(deleted.successful.len(), 3);

    // Purge empties the queue.
    sqs.send_message().queue_url(&url).message_body("left over").send().await.unwrap();
    sqs.purge_queue().queue_url(&url).send().await.unwrap();
    let after = sqs.receive_message().queue_url(&url).send().await.unwrap();
    assert!(after.messages.unwrap_or_default().is_empty());
    sqs.delete_queue().queue_url(&url).send().await.unwrap();
}
