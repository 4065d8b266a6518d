//! A test-utility crate (named `*-test`): the wrapper the server's tests use. Its methods share
//! the SDK's names and unwrap the SDK's results; they are test helpers, not production
//! functions that would make `get_order` ambiguous.
use shop_client::Client;

pub struct TestClient {
    api: Client,
}

impl TestClient {
    pub fn new(base: String) -> TestClient {
        TestClient { api: Client::new(base) }
    }

    pub async fn get_order(&self, id: i64) -> String {
        self.api.get_order(id).await.unwrap()
    }
}
