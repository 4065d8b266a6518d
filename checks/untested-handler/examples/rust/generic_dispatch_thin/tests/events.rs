use ingest::events::{handle_event, Event};

#[tokio::test]
async fn rejects_unknown_kinds() {
    assert!(handle_event(Event { kind: "nope".into() }).await.is_err());
    assert!(handle_event(Event { kind: "created".into() }).await.is_ok());
}
