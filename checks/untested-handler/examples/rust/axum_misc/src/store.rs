#[derive(Clone, Default)]
pub struct Store;

#[derive(serde::Serialize, serde::Deserialize)]
pub struct Cart;

#[derive(serde::Deserialize)]
pub struct Item;

pub struct User;

impl Store {
    pub async fn cart(&self, _id: u64) -> Option<Cart> {
        None
    }
    pub async fn replace(&self, _id: u64, _c: Cart) -> Result<(), String> {
        Ok(())
    }
    pub async fn add(&self, _id: u64, _i: Item) -> Result<(), String> {
        Ok(())
    }
    pub async fn checkout(&self, _id: u64) -> Result<u64, String> {
        Ok(1)
    }
    pub async fn user_by_email(&self, _e: &str) -> Result<Option<User>, String> {
        Ok(None)
    }
    pub async fn send_reset_mail(&self, _u: &User) -> Result<(), String> {
        Ok(())
    }
    pub async fn create_user(&self, _e: &str) -> Result<(), String> {
        Ok(())
    }
}
