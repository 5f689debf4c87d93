//! The portal's messages with the care team: the threads shared with the portal, one
//! thread (reading it marks it read), a new thread, a reply.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kernteam_app::messages::NewMessage;
use kernteam_app::portal_gate::PortalPart;
use kernteam_app::Action;

use super::{admit, chrome, flash, Chrome};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::pages::{fmt_timestamp, render, FlashQuery};
use crate::AppState;

pub struct ThreadRow {
    pub id: i64,
    pub subject: String,
    pub last: String,
    pub unread: i64,
}

#[derive(Template)]
#[template(path = "portal/threads.html")]
struct ThreadsPage {
    c: Chrome,
    threads: Vec<ThreadRow>,
    error: Option<String>,
}

pub async fn threads(
    State(state): State<AppState>,
    cu: CurrentUser,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Messages, Some(Action::ViewMessages)).await?;
    let threads = state
        .app
        .portal_threads(&u)
        .await?
        .into_iter()
        .map(|t| ThreadRow {
            id: t.id,
            subject: t.subject,
            last: fmt_timestamp(&t.last_at),
            unread: t.unread,
        })
        .collect();
    let mut c = chrome(&state, &cu, &u, "/portaal/berichten").await?;
    c.flash = flash(q.melding.as_deref());
    render(&ThreadsPage {
        c,
        threads,
        error: None,
    })
}

#[derive(serde::Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

pub async fn new_thread(
    State(state): State<AppState>,
    cu: CurrentUser,
    Form(f): Form<MessageForm>,
) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Messages, None).await?;
    let thread = state
        .app
        .portal_send(
            &u,
            &NewMessage {
                thread_id: None,
                subject: f.subject,
                body: f.body,
                team_only: false,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/portaal/berichten/{thread}?melding=verstuurd")).into_response())
}

pub struct MessageView {
    pub author: String,
    pub at: String,
    pub body: String,
    pub mine: bool,
}

#[derive(Template)]
#[template(path = "portal/thread.html")]
struct ThreadPage {
    c: Chrome,
    id: i64,
    subject: String,
    messages: Vec<MessageView>,
    error: Option<String>,
}

pub async fn thread(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<FlashQuery>,
) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Messages, None).await?;
    let (t, messages) = state.app.portal_thread(&u, id).await?;
    let me = cu.user.id;
    let messages = messages
        .into_iter()
        .map(|m| MessageView {
            author: if m.author_id == me {
                "U".to_string()
            } else {
                m.author_name
            },
            at: fmt_timestamp(&m.created_at),
            body: m.body,
            mine: m.author_id == me,
        })
        .collect();
    let mut c = chrome(&state, &cu, &u, "/portaal/berichten").await?;
    c.flash = flash(q.melding.as_deref());
    render(&ThreadPage {
        c,
        id: t.id,
        subject: t.subject,
        messages,
        error: None,
    })
}

pub async fn reply(
    State(state): State<AppState>,
    cu: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<MessageForm>,
) -> AppResult<Response> {
    let u = admit(&state, &cu, PortalPart::Messages, None).await?;
    state
        .app
        .portal_send(
            &u,
            &NewMessage {
                thread_id: Some(id),
                subject: String::new(),
                body: f.body,
                team_only: false,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/portaal/berichten/{id}?melding=verstuurd")).into_response())
}
