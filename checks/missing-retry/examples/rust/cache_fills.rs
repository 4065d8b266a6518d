//! A cache fill with an expiry that fails costs a later cache miss, which reads the source
//! again: nothing is lost, so no retry is asked for. A stream append on the same client is work
//! that a consumer waits for.
use tracing::warn;

pub async fn remember_profile(redis_client: &RedisClient, user_id: u64, encoded: Vec<u8>) {
    if let Err(err) = redis_client.set_ex::<String, Vec<u8>, ()>(format!("profile:{user_id}"), encoded, 3600).await {
        warn!("could not cache profile {user_id}: {err}");
    }
}

pub async fn announce_signup(redis_client: &RedisClient, user_id: u64) {
    if let Err(err) = redis_client.xadd::<_, _, _, ()>("signups", "*", &[("user", user_id)]).await { //~ missing-retry:high
        warn!("could not announce signup of {user_id}: {err}");
    }
}
