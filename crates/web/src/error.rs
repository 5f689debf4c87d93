//! Error policy of the web layer.
//!
//! Handlers return [`AppResult`]. [`AppError`] is mapped to a response once, here:
//! - `NotFound` → 404. Also used when a user may not see a patient: whether a patient
//!   exists elsewhere is itself patient information, so access denial looks like absence.
//! - `Forbidden` → 403: the user may see the thing but not do this with it.
//! - `SignIn` → a redirect to the sign-in page (pages) or 401 (API).
//! - `Invalid` → 422 with Dutch messages for the form or the API client.
//! - `Conflict` → 409 (someone else changed it; a name already taken).
//! - `Internal` → 500; the cause is logged, the user sees a plain apology.
//!
//! Pages get an HTML error page, `/api/` paths a JSON body `{"error": "...", "details": [...]}`.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kernteam_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("niet gevonden")]
    NotFound,
    #[error("u heeft geen toestemming voor deze handeling")]
    Forbidden,
    #[error("log eerst in")]
    SignIn { api: bool },
    #[error("de invoer klopt niet")]
    Invalid(Vec<String>),
    #[error("{0}")]
    Conflict(String),
    #[error("interne fout: {0}")]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<kernteam_app::Error> for AppError {
    fn from(e: kernteam_app::Error) -> Self {
        use kernteam_app::Error as E;
        match e {
            E::NotFound => AppError::NotFound,
            E::Forbidden => AppError::Forbidden,
            E::Invalid(list) => AppError::Invalid(list),
            E::Conflict(m) => AppError::Conflict(m),
            E::Internal(e) => AppError::Internal(e),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid(vec![message.into()])
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::SignIn { .. } => StatusCode::UNAUTHORIZED,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn public_message(&self) -> String {
        match self {
            AppError::NotFound => "Deze pagina of patiënt bestaat niet, of u heeft er geen toegang toe.".into(),
            AppError::Internal(_) => "Er ging iets mis aan onze kant. Probeer het opnieuw; blijft het misgaan, meld het dan aan de beheerder.".into(),
            other => other.to_string(),
        }
    }

    /// The JSON form, for the API.
    pub fn into_api_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!("internal error: {e:#}");
        }
        let details = match &self {
            AppError::Invalid(list) => list.clone(),
            _ => Vec::new(),
        };
        let body = serde_json::json!({ "error": self.public_message(), "details": details });
        (self.status(), axum::Json(body)).into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::SignIn { api: false } => return Redirect::to("/inloggen").into_response(),
            AppError::SignIn { api: true } => return self.into_api_response(),
            AppError::Internal(ref e) => tracing::error!("internal error: {e:#}"),
            _ => {}
        }
        let status = self.status();
        let page = ErrorPage {
            me: None,
            flash: None,
            code: status.as_u16(),
            title: match status {
                StatusCode::NOT_FOUND => "Niet gevonden",
                StatusCode::FORBIDDEN => "Geen toegang",
                StatusCode::UNPROCESSABLE_ENTITY => "De invoer klopt niet",
                StatusCode::CONFLICT => "Dat lukte niet",
                _ => "Er ging iets mis",
            },
            message: self.public_message(),
            list: match &self {
                AppError::Invalid(messages) => messages.clone(),
                _ => Vec::new(),
            },
            next: match status {
                StatusCode::NOT_FOUND => "Controleer de link, of zoek de patiënt op in de patiëntenlijst.",
                StatusCode::FORBIDDEN => "Vraag de praktijkmanager of de huisarts als u dit wel moet kunnen.",
                StatusCode::UNPROCESSABLE_ENTITY => {
                    "Ga terug met de knop Vorige van de browser: daar staat uw invoer nog, zodat u hem kunt verbeteren."
                }
                StatusCode::CONFLICT => {
                    "Laad de pagina opnieuw en probeer het nog eens: iemand anders heeft intussen iets gewijzigd."
                }
                _ => "Probeer het over een paar minuten opnieuw. Lukt het dan nog niet, meld het dan bij de beheerder.",
            },
        };
        let body = askama::Template::render(&page).unwrap_or_else(|_| page.message.clone());
        let mut resp = (status, Html(body)).into_response();
        // The layer below renders the page again with the signed-in user's menu.
        resp.extensions_mut().insert(page);
        resp
    }
}

/// An error page: the normal layout (with the signed-in user's menu, added by
/// [`with_menu`]), what went wrong, and what to do next.
#[derive(askama::Template, Clone)]
#[template(path = "error.html")]
pub struct ErrorPage {
    me: Option<crate::pages::Me>,
    flash: Option<String>,
    code: u16,
    title: &'static str,
    message: String,
    list: Vec<String>,
    next: &'static str,
}

/// Middleware (inside the session layer): an error page of a signed-in user's request gets
/// the normal menu, so that they can go on from where they are.
pub async fn with_menu(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let cu = req.extensions().get::<crate::auth::CurrentUser>().cloned();
    let mut resp = next.run(req).await;
    let (Some(cu), Some(mut page)) = (cu, resp.extensions_mut().remove::<ErrorPage>()) else {
        return resp;
    };
    let Ok(me) = crate::pages::me(&state, &cu).await else {
        return resp;
    };
    page.me = Some(me);
    match askama::Template::render(&page) {
        Ok(body) => {
            let status = resp.status();
            let mut fresh = (status, Html(body)).into_response();
            for (k, v) in resp.headers() {
                if k != axum::http::header::CONTENT_LENGTH && k != axum::http::header::CONTENT_TYPE {
                    fresh.headers_mut().insert(k.clone(), v.clone());
                }
            }
            fresh
        }
        Err(_) => resp,
    }
}
