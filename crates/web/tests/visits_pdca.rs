//! Practice visits, the network collaboration and the PDCA cycle through the real router,
//! on SQLite and PostgreSQL: the region plans, records and shares a visit; a practice sees
//! only its own shared visits, its own collaboration and its own checklist; every change
//! is audited.

mod common;

use axum::http::StatusCode;
use common::accounts::{add_user, audit_of};
use common::{seed, Client};
use kernteam_domain::access::Role;
use kernteam_store::testing;

async fn user_id(db: &kernteam_store::Db, username: &str) -> i64 {
    db.credentials(username).await.unwrap().unwrap().user.id
}

fn actions(log: &[(String, String)]) -> Vec<&str> {
    log.iter().map(|(a, _)| a.as_str()).collect()
}

#[tokio::test]
async fn the_region_runs_a_visit_and_only_the_practice_visited_reads_it() {
    for t in testing::all().await {
        let db = &t.db;
        let w = seed(db).await;
        let today = chrono::Local::now().date_naive();
        let region = Client::sign_in(&w.app, "regio").await;
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        let poh_b = Client::sign_in(&w.app, "poh-b").await;

        // Nobody has been visited: both practices need one.
        let page = region.get("/regio/bezoeken").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text()
                .contains("2 praktijken zonder bezoek in de afgelopen 12 maanden en zonder gepland bezoek."),
            "{}",
            page.text()
        );

        // Planning needs a practice and a date.
        let r = region
            .post_form("/regio/bezoeken", &[("practice_id", ""), ("date", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Kies de praktijk die u bezoekt."));
        assert!(r.text().contains("Kies de datum van het bezoek."));
        let a = w.practice_a.to_string();
        let r = region
            .post_form("/regio/bezoeken", &[("practice_id", &a), ("date", &today.to_string())])
            .await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, Some("/regio/bezoeken?melding=gepland"))
        );
        let visit = db.visits().await.unwrap()[0].id;
        let page = region.get("/regio/bezoeken").await.text();
        assert!(page.contains("1 praktijk zonder bezoek"), "{page}");

        // Recorded against the topics, with feedback; not yet shared.
        let path = format!("/regio/bezoeken/{visit}");
        let r = region
            .post_form(&path, &[("visited_on", &today.to_string()), ("feedback", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r
            .text()
            .contains("Schrijf iets bij minstens één onderwerp of in de terugkoppeling."));
        let feedback = "Mooie stappen gezet; plan de MDO-data vast voor het hele jaar.";
        let r = region
            .post_form(
                &path,
                &[
                    ("visited_on", &today.to_string()),
                    ("progress", "De inclusie loopt goed."),
                    ("mdo", "Eens per zes weken; de SO schuift aan."),
                    ("feedback", feedback),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let shared_path = format!("/praktijk/bezoeken/{visit}");
        assert_eq!(poh_a.get(&shared_path).await.status, StatusCode::NOT_FOUND);
        assert!(!poh_a.get("/praktijk/bezoeken").await.text().contains(&shared_path));

        // Shared: the practice reads the feedback; the other practice does not.
        let r = region.post_form(&format!("{path}/delen"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let list = poh_a.get("/praktijk/bezoeken").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.text().contains(&shared_path));
        let read = poh_a.get(&shared_path).await;
        assert_eq!(read.status, StatusCode::OK);
        assert!(read.text().contains(feedback));
        assert!(read.text().contains("Eens per zes weken; de SO schuift aan."));
        assert_eq!(poh_b.get(&shared_path).await.status, StatusCode::NOT_FOUND);
        assert!(!poh_b.get("/praktijk/bezoeken").await.text().contains(&shared_path));
        let refusals: Vec<String> = audit_of(db, user_id(db, "poh-b").await)
            .await
            .into_iter()
            .filter(|(a, _)| a == "toegang geweigerd")
            .map(|(_, d)| d)
            .collect();
        assert_eq!(refusals, [format!("praktijkbezoek {visit}")]);
        let page = region.get("/regio/bezoeken").await.text();
        assert!(page.contains("1 praktijk zonder bezoek"), "B still needs one: {page}");

        // The network collaboration of the quarter: practice A's is visible to A only.
        let quarter = format!(
            "{}-Q{}",
            chrono::Datelike::year(&today),
            chrono::Datelike::month0(&today) / 3 + 1
        );
        let r = region
            .post_form(
                "/regio/samenwerking",
                &[
                    ("practice_id", &a),
                    ("quarter", &quarter),
                    ("status-wijkverpleging", "afspraken"),
                    ("note-wijkverpleging", "Vaste wijkverpleegkundige per wijk"),
                    ("status-apotheek", "misschien"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text().contains("Apotheek: onbekende stand &#39;misschien&#39;."),
            "{}",
            r.text()
        );
        let r = region
            .post_form(
                "/regio/samenwerking",
                &[
                    ("practice_id", &a),
                    ("quarter", &quarter),
                    ("status-wijkverpleging", "afspraken"),
                    ("note-wijkverpleging", "Vaste wijkverpleegkundige per wijk"),
                    ("status-apotheek", "in_ontwikkeling"),
                    ("status-sociaal_domein", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        // The next quarter's form starts from this one's.
        let (y, n) = (chrono::Datelike::year(&today), chrono::Datelike::month0(&today) / 3 + 1);
        let next = if n == 4 {
            format!("{}-Q1", y + 1)
        } else {
            format!("{y}-Q{}", n + 1)
        };
        let form = region
            .get(&format!("/regio/samenwerking?periode={next}&praktijk={a}"))
            .await
            .text();
        assert!(
            form.contains(&format!("het formulier is ingevuld met de stand van {quarter}")),
            "{form}"
        );
        assert!(form.contains("<option value=\"afspraken\" selected>"), "{form}");
        let mine = poh_a.get("/praktijk/bezoeken").await.text();
        assert!(mine.contains("Afspraken gemaakt") && mine.contains("Vaste wijkverpleegkundige per wijk"));
        assert!(!poh_b
            .get("/praktijk/bezoeken")
            .await
            .text()
            .contains("Afspraken gemaakt"));
        let csv = region
            .get(&format!("/regio/rapport.csv?periode={quarter}"))
            .await
            .text();
        assert!(csv
            .lines()
            .next()
            .unwrap()
            .contains("network_collaboration.wijkverpleging"));
        assert!(csv.contains("afspraken"), "{csv}");

        // Every change by the region is audited.
        let log = audit_of(db, user_id(db, "regio").await).await;
        let done = actions(&log);
        for action in [
            "praktijkbezoek gepland",
            "praktijkbezoek vastgelegd",
            "terugkoppeling praktijkbezoek gedeeld",
            "samenwerking geriatrisch netwerk vastgelegd",
        ] {
            assert_eq!(done.iter().filter(|a| **a == action).count(), 1, "{action}: {log:?}");
        }
        t.finish().await;
    }
}

#[tokio::test]
async fn each_practice_keeps_its_own_pdca_checklist_and_the_region_sees_them_all() {
    for t in testing::all().await {
        let db = &t.db;
        let w = seed(db).await;
        add_user(db, "beheer", "Bea Beheer", Role::Beheerder, None).await;
        let region = Client::sign_in(&w.app, "regio").await;
        let poh_a = Client::sign_in(&w.app, "poh-a").await;
        let poh_b = Client::sign_in(&w.app, "poh-b").await;

        let evidence = "Kernteam vastgelegd in het werkoverleg van maart";
        let done_on = (chrono::Local::now().date_naive() - chrono::Duration::days(30)).to_string();
        let r = poh_a
            .post_form(
                "/praktijk/pdca",
                &[
                    ("status-plan.kernteam", "gereed"),
                    ("evidence-plan.kernteam", evidence),
                    ("date-plan.kernteam", &done_on),
                    ("status-do.mdo", "bezig"),
                    ("evidence-do.mdo", ""),
                    ("date-do.mdo", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = poh_a
            .post_form("/praktijk/pdca", &[("status-act.bijsturen", "klaar")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("Onbekende status"));

        let mine = poh_a.get("/praktijk/pdca").await;
        assert_eq!(mine.status, StatusCode::OK);
        assert!(mine.text().contains(evidence));
        assert!(mine.text().contains("1 van 7 gereed"));
        // The Check questions carry Kernteam's figures.
        assert!(mine.text().contains("MDO(&#39;s) gehouden in") || mine.text().contains("MDO('s) gehouden in"));
        assert!(mine.text().contains("geïncludeerd op de peildatum"));
        let theirs = poh_b.get("/praktijk/pdca").await.text();
        assert!(!theirs.contains(evidence) && theirs.contains("0 van 7 gereed"));

        let overview = region.get("/regio/pdca").await;
        assert_eq!(overview.status, StatusCode::OK);
        assert!(overview.text().contains("1 / 7"), "{}", overview.text());
        let one = region.get(&format!("/regio/pdca/{}", w.practice_a)).await;
        assert_eq!(one.status, StatusCode::OK);
        assert!(one.text().contains(evidence));
        assert!(
            !one.text().contains("name=\"status-plan.kernteam\""),
            "the region reads, not edits"
        );
        assert_eq!(
            region.post_form("/praktijk/pdca", &[]).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(region.get("/regio/pdca/999999").await.status, StatusCode::NOT_FOUND);

        // Neither the administrator nor the practice sees the region's pages.
        let admin = Client::sign_in(&w.app, "beheer").await;
        for path in ["/regio/bezoeken", "/regio/pdca", "/regio/samenwerking"] {
            assert_eq!(admin.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(poh_a.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
        }

        let log = audit_of(db, user_id(db, "poh-a").await).await;
        let changed: Vec<&str> = log
            .iter()
            .filter(|(a, _)| a == "PDCA-stappenplan bijgewerkt")
            .map(|(_, d)| d.as_str())
            .collect();
        assert_eq!(changed, ["plan.kernteam: gereed", "do.mdo: bezig"]);
        t.finish().await;
    }
}
