//! The application under test: served in-process on `127.0.0.1:0` over a fresh SQLite
//! database holding a small synthetic region and a few accounts.

use std::net::SocketAddr;

use chrono::NaiveDate;
use kernteam_domain::access::{OrganisationKind, Role};
use kernteam_import::{import_extract, ImportOptions};
use kernteam_store::people::NewUser;
use kernteam_store::testing::{self, TestDb};
use kernteam_store::Db;
use kernteam_web::{AppState, WebConfig};

/// The password of every test account.
pub const PASSWORD: &str = "e2e-wachtwoord-2027";
pub const PRACTICES: u32 = 2;
pub const PATIENTS_PER_PRACTICE: u32 = 400;
pub const SEED: u64 = 4711;
pub const ORGANISATION: &str = "Thuiszorg Geuldal";

pub struct Account {
    pub id: i64,
    pub username: &'static str,
    pub name: &'static str,
}

pub struct App {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
    pub db: Db,
    pub today: NaiveDate,
    /// The practice the accounts belong to (the first one imported).
    pub practice_id: i64,
    pub practice_name: String,
    pub poh: Account,
    pub huisarts: Account,
    pub wijkverpleegkundige: Account,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    _test_db: TestDb,
}

impl Drop for App {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl App {
    /// Generates and imports the region, creates the accounts and starts serving.
    pub async fn start() -> App {
        let today = chrono::Local::now().date_naive();
        let test_db = testing::sqlite().await;
        let db = test_db.db.clone();

        let extracts = tempfile::tempdir().expect("temp dir for extracts");
        let opts = kernteam_synth::RegionOptions {
            practices: PRACTICES,
            patients_per_practice: Some(PATIENTS_PER_PRACTICE),
            seed: SEED,
            extract_date: today,
        };
        let out = extracts.path().to_path_buf();
        let generated =
            tokio::task::spawn_blocking(move || kernteam_synth::generate_region(&opts, &out, &mut |_, _| {}))
                .await
                .expect("generator task")
                .expect("generate the synthetic region");
        assert_eq!(generated.len(), PRACTICES as usize);
        let import_opts = ImportOptions { today, progress: false };
        for g in &generated {
            import_extract(&db, &g.dir, &import_opts)
                .await
                .unwrap_or_else(|e| panic!("import {}: {e}", g.dir.display()));
        }

        let practice = db
            .practices()
            .await
            .expect("practices")
            .into_iter()
            .next()
            .expect("a practice");
        let organisation = kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch
            .create_organisation(OrganisationKind::Wijkverpleging, ORGANISATION))
        .expect("create organisation");
        let hash = kernteam_web::hash_password(PASSWORD.to_string())
            .await
            .expect("hash password");
        let create = |username: &'static str, name: &'static str, role: Role, practice_id, organisation_id| {
            let (db, hash) = (db.clone(), hash.clone());
            async move {
                let id =
                    kernteam_store::audited!(db, kernteam_store::testing::entry(), |ch| ch.create_user(&NewUser {
                        username: username.into(),
                        display_name: name.into(),
                        role,
                        practice_id,
                        organisation_id,
                        password_hash: hash,
                        is_admin: false,
                    }))
                    .unwrap_or_else(|e| panic!("create user {username}: {e}"));
                Account { id, username, name }
            }
        };
        let poh = create("poh", "Marieke Op de Beeck", Role::PohO, Some(practice.id), None).await;
        let huisarts = create("huisarts", "Dr. Anne Janssen", Role::Huisarts, Some(practice.id), None).await;
        let wijkverpleegkundige = create(
            "wijkverpleging",
            "Lotte Frissen",
            Role::Wijkverpleegkundige,
            None,
            Some(organisation),
        )
        .await;

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr: SocketAddr = listener.local_addr().expect("local address");
        let server = tokio::spawn(kernteam_web::serve(
            AppState::new(db.clone(), WebConfig::demo()),
            listener,
        ));
        App {
            base: format!("http://{addr}"),
            db,
            today,
            practice_id: practice.id,
            practice_name: practice.name.clone(),
            poh,
            huisarts,
            wijkverpleegkundige,
            server,
            _test_db: test_db,
        }
    }
}
