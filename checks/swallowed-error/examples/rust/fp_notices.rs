// NO FLAG: informational notices restate a change that is already made (and logged): a chat's
// system message ("Alice left the group"), an admin-room notice. Losing one loses no data.
pub async fn leave_group(db: &Database, group: &Group, user: &str) -> Result<(), Error> {
    db.remove_user_from_group(&group.id, user).await?;
    SystemMessage::UserLeft { id: user.to_string() }
        .into_message(group.id.clone())
        .send(db, None)
        .await
        .ok();
    Ok(())
}

pub async fn register(services: &Services, user: &str) -> Result<(), Error> {
    services.users.create(user).await?;
    tracing::info!("new user {user} registered");
    services
        .admin
        .send_message(RoomMessageEventContent::notice_plain(format!("New user {user}")))
        .await
        .ok();
    Ok(())
}

// FLAG: the membership row itself, dropped the same way.
pub async fn join_group(db: &Database, group: &Group, user: &str) {
    db.add_user_to_group(&group.id, user).await.ok(); //~ swallowed-error
}
