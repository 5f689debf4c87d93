//! The daily care process around a frail elder, beside the care plan: proactive care
//! planning (PZP), consultations of the elderly-care physician (SO), medication reviews
//! (MBO), and — from the other modules here — MDO meetings, events with their handover
//! and worklists. Each submodule brings its pages (and the JSON API handlers it shares
//! logic with); [`routes`] merges their page routes into the application's router.

use axum::Router;

use crate::AppState;

pub mod consultations;
pub mod pzp;
pub mod reviews;

/// The page routes of the care process.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(pzp::routes())
        .merge(consultations::routes())
        .merge(reviews::routes())
}
