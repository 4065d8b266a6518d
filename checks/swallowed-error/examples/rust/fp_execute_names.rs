// NO FLAG: `execute` is also the method of an executor, a federation client and a GraphQL
// schema. Without a statement below it, a database receiver or a statement argument it runs no
// query, and a fallback on its failure loses nothing.
pub async fn display_name(services: &Services, user: &UserId) -> Result<String, Error> {
    // A fresh copy from the user's home server when it answers; the local copy otherwise.
    if let Ok(profile) = services.federation.execute(user.server_name(), ProfileRequest::new(user)).await {
        return Ok(profile.displayname);
    }
    Ok(services.users.local_displayname(user))
}

pub async fn resolve(schema: &Schema, request: GraphqlRequest) -> GraphqlResponse {
    if let Ok(cached) = schema.execute(request.clone()).await.into_result() {
        return cached.into();
    }
    GraphqlResponse::default()
}

// FLAG: the same name on a prepared statement, on a connection, or with the SQL as its
// argument is a query.
pub fn mark_done(conn: &rusqlite::Connection, stmt: &mut rusqlite::Statement<'_>, id: i64) {
    let _ = stmt.execute([id]); //~ swallowed-error
    let _ = conn.execute("DELETE FROM pending WHERE id = ?1", [id]); //~ swallowed-error
}
