// NO FLAG: results converted into values that are used.
async fn find_user(db: &sqlx::PgPool, id: i64) -> Option<User> {
    let row = sqlx::query_as::<_, User>("SELECT * FROM users WHERE id = $1").bind(id).fetch_one(db).await.ok();
    row
}

async fn avatar(s3: &aws_sdk_s3::Client, key: &str) -> Option<Vec<u8>> {
    return s3.get_object().bucket("avatars").key(key).send().await.ok().map(|_| Vec::new());
}

fn numbers(lines: &[&str]) -> Vec<u64> {
    lines.iter().map(|l| l.parse::<u64>()).filter_map(Result::ok).collect()
}

async fn exists(http: &reqwest::Client, url: &str) -> bool {
    http.head(url).send().await.is_ok()
}

fn counts(map: &mut std::collections::HashMap<String, u64>, k: String) {
    let _ = map.insert(k.clone(), 1);
    let _ = map.remove(&k);
    let mut v = vec![1, 2];
    let _ = v.pop();
}
