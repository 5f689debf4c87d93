//! Records of the daily care process, by the paths callers know: PZP versions
//! ([`crate::documents`]), MDO meetings ([`crate::mdo`]), SO consultations
//! ([`crate::consultations`]), medication reviews ([`crate::medication_reviews`]), events with
//! their handover ([`crate::events`]) and the practice's POH-O formation ([`crate::formation`]).

pub use crate::consultations::*;
pub use crate::corrections::*;
pub use crate::documents::{Document, NewVersion};
pub use crate::events::*;
pub use crate::formation::*;
pub use crate::handovers::*;
pub use crate::mdo::*;
pub use crate::mdo_invitees::*;
pub use crate::medication_reviews::*;
