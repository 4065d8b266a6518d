// NO FLAG: what looks like an effect or like input, and is neither.

// A channel's sending half, whatever it feeds: the send fails only when the loop has stopped.
pub struct WsClient {
    ws_msg_sender: tokio::sync::mpsc::Sender<Message>,
}

impl WsClient {
    pub async fn close(&self) {
        let _ = self.ws_msg_sender.send(Message::Close(None)).await;
    }
}

// A JSON column this program wrote, read back from its own database: not incoming data.
pub async fn rag_ids(pool: &sqlx::PgPool, chat_id: i64) -> Result<Vec<String>, sqlx::Error> {
    let row = sqlx::query!("SELECT rag_ids FROM chats WHERE id = $1", chat_id)
        .fetch_one(pool)
        .await?;
    let rag_ids = serde_json::from_value::<Vec<String>>(row.rag_ids).unwrap_or_default();
    Ok(rag_ids)
}

// The `let` being initialised is not in scope inside its own value: `refs` here is the
// configuration field, not a binding that holds the parser's text.
pub fn refs_of(repo: &RepositoryDao) -> Vec<String> {
    let refs = if let Some(refs) = &repo.refs {
        let config_refs: Vec<String> = serde_json::from_str(refs).unwrap_or_default();
        config_refs
    } else {
        vec![]
    };
    refs
}

// A command added to a redis pipeline cannot fail; running the pipeline can, and its error
// is returned.
pub async fn requeue(conn: &mut redis::aio::ConnectionManager, tasks: &[Task]) -> redis::RedisResult<()> {
    let mut pipe = redis::pipe();
    for task in tasks {
        let _ = pipe.xadd("queue", "*", &[("data", task.json())]);
    }
    pipe.query_async::<()>(conn).await?;
    Ok(())
}
