#[derive(Clone, Default)]
pub struct Db;

#[derive(Debug)]
pub struct Error;

pub struct Post {
    pub id: u64,
    pub title: String,
}

impl Post {
    // Same name as the handler `routes::posts::create`; tests call this one.
    pub fn create(_db: &Db, title: &str) -> Result<Post, Error> {
        Ok(Post { id: 1, title: title.to_string() })
    }

    pub fn delete(_db: &Db, _id: u64) -> Result<(), Error> {
        Ok(())
    }

    pub fn update(_db: &Db, _id: u64, _title: &str) -> Result<(), Error> {
        Ok(())
    }
}

/// Applies an incoming federation activity.
pub fn inbox(_db: &Db, _activity: serde_json::Value) -> Result<(), Error> {
    Ok(())
}

pub fn register_user(_db: &Db, _name: &str) -> Result<u64, Error> {
    Ok(7)
}
