//! The confirmation step before a decision that is hard to undo (an exclusion, removing a
//! team member): the form posts without `bevestigd=ja`, the server shows this page with
//! what will happen, and only its button carries `bevestigd=ja`. Works without JavaScript.

use askama::Template;

use super::banner::Banner;
use super::Me;

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub me: Option<Me>,
    pub flash: Option<String>,
    pub csrf: String,
    pub banner: Banner,
    pub heading: String,
    pub question: String,
    /// What was entered, as label and value.
    pub facts: Vec<(String, String)>,
    pub consequence: String,
    /// Where the confirmed form posts, with the entered fields again.
    pub action: String,
    pub fields: Vec<(String, String)>,
    pub button: String,
    pub cancel: String,
}

/// Whether a posted form carries the confirmation.
pub fn confirmed(field: Option<&str>) -> bool {
    field == Some("ja")
}
