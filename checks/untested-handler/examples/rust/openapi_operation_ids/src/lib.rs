//! Class 15: an API whose OpenAPI spec generates the clients its end-to-end suites use. The
//! Python suite calls `api.get_otp_credentials(..)` and the TypeScript one
//! `api.createPasswordCredential(..)`: the operation ids of the `#[oai]` attributes, not the
//! Rust function names and not the paths. A handler whose operation no suite names is reported.
use poem_openapi::{param::Path, payload::Json, OpenApi};

pub struct CredentialsApi;

#[OpenApi]
impl CredentialsApi {
    #[oai(path = "/users/:id/credentials/otp", method = "get", operation_id = "get_otp_credentials")]
    async fn api_get_otp_credentials(&self, db: Data<&Db>, id: Path<Uuid>) -> Json<Vec<Otp>> {
        Json(db.otp_for(id.0).await)
    }

    #[oai(path = "/users/:id/credentials/passwords", method = "post", operation_id = "create_password_credential")]
    async fn api_create_password_credential(&self, db: Data<&Db>, id: Path<Uuid>, body: Json<NewPassword>) -> Json<Password> {
        Json(db.add_password(id.0, body.0).await)
    }

    #[oai(path = "/users/:id/credentials/sso", method = "delete", operation_id = "delete_sso_credential")]
    async fn api_delete_sso_credential(&self, db: Data<&Db>, id: Path<Uuid>) -> Json<()> { //~ untested-handler:high
        Json(db.remove_sso(id.0).await)
    }
}
