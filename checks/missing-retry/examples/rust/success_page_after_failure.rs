//! An `Err` branch that answers exactly what the handler answers when all went well hides the
//! failure: the user is told the email is on its way and has no reason to ask again. A branch
//! that answers something else (an error page) has told them, and they own the retry.
pub async fn forgot_password(state: &AppState, email: &str) -> Response {
    let token = new_token();
    if let Err(e) = mailer::send_reset_email(&state.smtp, email, &token).await { //~ missing-retry:high
        tracing::error!("reset email not sent: {e}");
        return render_sent_page(state);
    }
    render_sent_page(state)
}

pub async fn resend_invite(state: &AppState, email: &str) -> Response {
    if let Err(e) = mailer::send_invite_email(&state.smtp, email).await {
        tracing::error!("invite email not sent: {e}");
        return render_error_page(state, "We could not send the invitation. Please try again.");
    }
    render_sent_page(state)
}

mod mailer {
    pub async fn send_reset_email(smtp: &SmtpTransport, to: &str, token: &str) -> Result<(), lettre::transport::smtp::Error> {
        let message = build_reset(to, token);
        smtp.send(message).await?;
        Ok(())
    }

    pub async fn send_invite_email(smtp: &SmtpTransport, to: &str) -> Result<(), lettre::transport::smtp::Error> {
        let message = build_invite(to);
        smtp.send(message).await?;
        Ok(())
    }
}
