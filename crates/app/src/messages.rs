//! Messages about one patient: threads between the portal's users and the care team, or
//! within the team only; reading a thread marks it read (who read what is shown to the
//! team); notifications inside Kernteam for the professionals concerned.
//!
//! The staff read with a [`Visible`] and write with a [`Contributor`]; the portal reads
//! and writes with a [`PortalUser`] admitted to the messages, and never sees a thread of
//! the team, nor one of another patient (both answer `NotFound`).

use kernteam_domain::portal::check_text;
use kernteam_store::care::PatientRef;
use kernteam_store::messages::{Message, NewNotification, Notification, Thread};

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::gate::{Contributor, Visible};
use crate::portal_gate::{PortalPart, PortalUser};
use crate::{Actor, App};

/// A notification for one user about one patient.
pub(crate) fn notification(
    user_id: i64,
    patient: &PatientRef,
    kind: &'static str,
    text: String,
    link: String,
) -> NewNotification {
    NewNotification {
        user_id,
        patient_id: Some(patient.id),
        kind,
        text,
        link,
    }
}

/// A new message, as entered: in a thread, or starting one with a subject.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    pub thread_id: Option<i64>,
    pub subject: String,
    pub body: String,
    /// Staff only: within the care team (never shown in the portal).
    pub team_only: bool,
}

fn checked(m: &NewMessage) -> Result<(String, String)> {
    let mut errors = Vec::new();
    let body = check_text(&m.body, 4000, "een bericht")
        .map_err(|e| errors.push(e))
        .ok();
    let subject = if m.thread_id.is_none() {
        check_text(&m.subject, 200, "een onderwerp")
            .map_err(|e| errors.push(e))
            .ok()
    } else {
        Some(String::new())
    };
    crate::error::invalid_unless_empty(errors)?;
    Ok((subject.unwrap_or_default(), body.unwrap_or_default()))
}

impl App {
    /// The professionals told of a new message in a thread: the care team's members with
    /// an account, the staff who invited the patient to the portal and the staff who wrote
    /// in the thread before; never the author.
    async fn message_recipients(&self, patient_id: i64, thread_id: i64, author: i64) -> Result<Vec<i64>> {
        let mut ids: Vec<i64> = self
            .db
            .team(patient_id)
            .await?
            .into_iter()
            .filter_map(|m| m.user_id)
            .collect();
        ids.extend(self.db.invitations(patient_id).await?.into_iter().map(|i| i.created_by));
        for m in self.db.messages(thread_id).await? {
            if !kernteam_domain::access::Role::from_code(&m.author_role).is_some_and(|r| r.is_portal()) {
                ids.push(m.author_id);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids.retain(|i| *i != author);
        // Only those who may see the patient now (a notification names who wrote).
        let patient = self.db.patient(patient_id).await?;
        let mut out = Vec::new();
        for id in ids {
            let u = self.db.user(id).await?;
            let rel = kernteam_domain::access::Relationship {
                same_practice: u.practice_id == Some(patient.practice_id),
                on_care_team: u.role.scope() == kernteam_domain::access::Scope::Network
                    && self.db.on_care_team(patient.id, u.id).await?,
            };
            if u.active && kernteam_domain::access::patient_access(u.role, u.is_admin, rel).read {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Writes a message (and the notifications it causes); `on_behalf` names whom the
    /// author acts for in the audit record (the legal representative in the portal).
    async fn post(
        &self,
        actor: &Actor,
        patient: &PatientRef,
        m: &NewMessage,
        team_only: bool,
        on_behalf: Option<&str>,
    ) -> Result<i64> {
        let (subject, body) = checked(m)?;
        let by = actor.user().id;
        let mut ch = self.db.change().await?;
        let thread = match m.thread_id {
            Some(t) => t,
            None => ch.add_thread(patient.id, &subject, team_only, by).await?,
        };
        ch.add_message(thread, by, &body).await?;
        ch.mark_thread_read(thread, by).await?;
        let recipients = self.message_recipients(patient.id, thread, by).await?;
        for r in recipients.iter().copied() {
            ch.add_notification(&notification(
                r,
                patient,
                "message",
                format!("Nieuw bericht van {}", actor.user().display_name),
                format!("/patienten/{}/berichten/{thread}", patient.id),
            ))
            .await?;
        }
        let mut entry = actor.entry(Some(patient), Action::SendMessage, Some(format!("gesprek {thread}")));
        entry.on_behalf_of = on_behalf.map(str::to_string);
        ch.commit(&[entry]).await?;
        self.mail_notified(recipients);
        Ok(thread)
    }

    /// Opens a thread: its messages, and every message by others marked read by the
    /// reader (in the same change as the audit record of the read).
    async fn open_thread(
        &self,
        actor: &Actor,
        patient: &PatientRef,
        thread: &Thread,
        on_behalf: Option<&str>,
    ) -> Result<Vec<Message>> {
        let mut ch = self.db.change().await?;
        ch.mark_thread_read(thread.id, actor.user().id).await?;
        let mut entry = actor.entry(
            Some(patient),
            Action::ViewMessages,
            Some(format!("gesprek {}", thread.id)),
        );
        entry.on_behalf_of = on_behalf.map(str::to_string);
        ch.commit(&[entry]).await?;
        Ok(self.db.messages(thread.id).await?)
    }

    // --- The care team ---------------------------------------------------------------------

    /// The patient's threads (the team's own too), with the reader's unread counts.
    pub async fn threads(&self, v: &Visible) -> Result<Vec<Thread>> {
        Ok(self.db.threads(v.patient().id, v.actor().user().id, true).await?)
    }

    /// One thread of the patient, read.
    pub async fn thread(&self, v: &Visible, thread_id: i64) -> Result<(Thread, Vec<Message>)> {
        let t = self.db.thread(thread_id, v.actor().user().id).await?;
        if t.patient_id != v.patient().id {
            return Err(Error::NotFound);
        }
        let messages = self.open_thread(v.actor(), v.patient(), &t, None).await?;
        Ok((t, messages))
    }

    /// A message from the team: in a thread of the patient, or in a new one.
    pub async fn send_message(&self, c: &Contributor, m: &NewMessage) -> Result<i64> {
        if let Some(t) = m.thread_id {
            if self.db.thread(t, c.actor().user().id).await?.patient_id != c.patient().id {
                return Err(Error::NotFound);
            }
        }
        self.post(c.actor(), c.patient(), m, m.team_only, None).await
    }

    /// The user's notifications, newest first; all marked read.
    pub async fn notifications(&self, actor: &Actor) -> Result<Vec<Notification>> {
        let list = self.db.notifications(actor.user().id).await?;
        if list.iter().any(|n| n.read_at.is_none()) {
            let mut ch = self.db.change().await?;
            ch.mark_notifications_read(actor.user().id).await?;
            ch.commit(&[actor.entry(None, Action::ViewMessages, Some("meldingen".into()))])
                .await?;
        }
        Ok(list)
    }

    pub async fn unread_notifications(&self, actor: &Actor) -> Result<i64> {
        Ok(self.db.unread_notifications(actor.user().id).await?)
    }

    // --- The portal ------------------------------------------------------------------------

    /// The patient's threads shared with the portal.
    pub async fn portal_threads(&self, u: &PortalUser) -> Result<Vec<Thread>> {
        if !u.may(PortalPart::Messages) {
            return Err(Error::NotFound);
        }
        Ok(self.db.threads(u.patient().id, u.actor().user().id, false).await?)
    }

    /// A thread shared with the portal, read; the team's own threads and other
    /// patients' do not exist here.
    pub async fn portal_thread(&self, u: &PortalUser, thread_id: i64) -> Result<(Thread, Vec<Message>)> {
        if !u.may(PortalPart::Messages) {
            return Err(Error::NotFound);
        }
        let t = match self.db.thread(thread_id, u.actor().user().id).await {
            Ok(t) if t.patient_id == u.patient().id && !t.team_only => t,
            Ok(_) | Err(kernteam_store::StoreError::NotFound) => return Err(Error::NotFound),
            Err(e) => return Err(e.into()),
        };
        let messages = self.open_thread(u.actor(), u.patient(), &t, u.on_behalf_of()).await?;
        Ok((t, messages))
    }

    /// A message from the portal: in a shared thread of the patient, or a new one.
    pub async fn portal_send(&self, u: &PortalUser, m: &NewMessage) -> Result<i64> {
        if !u.may(PortalPart::Messages) {
            return Err(Error::NotFound);
        }
        if let Some(t) = m.thread_id {
            match self.db.thread(t, u.actor().user().id).await {
                Ok(t) if t.patient_id == u.patient().id && !t.team_only => {}
                Ok(_) | Err(kernteam_store::StoreError::NotFound) => return Err(Error::NotFound),
                Err(e) => return Err(e.into()),
            }
        }
        self.post(u.actor(), u.patient(), m, false, u.on_behalf_of()).await
    }
}
