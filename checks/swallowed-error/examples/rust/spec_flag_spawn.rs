// FLAG: output of the spawned future (a Result) is dropped with the JoinHandle
fn on_signup(http: reqwest::Client, user: User) {
    tokio::spawn(async move { crm::push_contact(&http, &user).await }); //~ swallowed-error
}
