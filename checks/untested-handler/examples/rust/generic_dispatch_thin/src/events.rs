#[derive(serde::Deserialize)]
pub struct Event {
    pub kind: String,
}

#[derive(Debug)]
pub struct EventError;

pub async fn handle_event(ev: Event) -> Result<(), EventError> {
    match ev.kind.as_str() {
        "created" | "deleted" => Ok(()),
        _ => Err(EventError),
    }
}
