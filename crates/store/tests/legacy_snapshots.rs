//! A snapshot stored as rows (before migration 0022) is moved into records on start, on
//! both backends: every reader then finds it as an imported one.

use kernteam_store::{testing, Db};

async fn run(db: &Db, sql: &str) {
    kernteam_store::sqlx::query(sql).execute(db.pool()).await.unwrap();
}

async fn count(db: &Db, sql: &str) -> i64 {
    kernteam_store::sqlx::query_scalar(sql)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn snapshots_stored_as_rows_are_moved_into_records() {
    for t in testing::all().await {
        let db = &t.db;
        // As a database before migration 0022 held a snapshot: a row per extract row,
        // and a lasting identity for every patient.
        run(db, "INSERT INTO practices (agb_code, name, created_at) VALUES ('01234567', 'De Linde', '2027-01-01T00:00:00Z')").await;
        let practice = count(db, "SELECT id FROM practices WHERE agb_code = '01234567'").await;
        run(
            db,
            &format!(
                "INSERT INTO snapshots (practice_id, extract_date, imported_at, source, patient_rows, episode_rows) \
             VALUES ({practice}, '2027-04-03', '2027-04-04T00:00:00Z', 'oud', 2, 1)"
            ),
        )
        .await;
        let snapshot = count(db, "SELECT id FROM snapshots").await;
        for his in ["P1", "P2"] {
            run(db, &format!("INSERT INTO patients (practice_id, his_id, created_at) VALUES ({practice}, '{his}', '2027-04-04T00:00:00Z')")).await;
        }
        run(db, &format!("INSERT INTO snapshot_patients (snapshot_id, his_id, bsn, family_name, given_name, birth_date, sex, \
             registration_start, registration_end, postal_code, address, city, phone) VALUES \
             ({snapshot}, 'P1', '271134860', 'Jansen', 'Anna', '1940-05-05', 'V', '1990-01-01', NULL, '6211AB', 'Markt 1', 'Maastricht', '043-1'), \
             ({snapshot}, 'P2', NULL, NULL, NULL, '1990-01-01', NULL, '2000-01-01', '2026-12-31', NULL, NULL, NULL, NULL)")).await;
        run(
            db,
            &format!(
                "INSERT INTO snapshot_episodes (snapshot_id, his_id, icpc, start_date, end_date, title) \
             VALUES ({snapshot}, 'P1', 'A05', '2024-01-10', NULL, 'Kwetsbare oudere')"
            ),
        )
        .await;
        run(
            db,
            &format!(
                "INSERT INTO snapshot_medications (snapshot_id, his_id, atc, start_date, end_date, name, dosage) \
             VALUES ({snapshot}, 'P1', 'C07AB02', '2020-01-01', NULL, 'Metoprolol', '1 dd 1')"
            ),
        )
        .await;
        run(
            db,
            &format!(
                "INSERT INTO snapshot_determinants (snapshot_id, his_id, labcode, date, value) \
             VALUES ({snapshot}, 'P1', 2803, '2026-01-01', '3')"
            ),
        )
        .await;
        run(
            db,
            &format!(
                "INSERT INTO snapshot_programs (snapshot_id, his_id, program, start_date, end_date) \
             VALUES ({snapshot}, 'P1', 'DM2', '2018-01-01', NULL)"
            ),
        )
        .await;

        assert_eq!(db.move_legacy_snapshots().await.unwrap(), 1);
        assert_eq!(db.move_legacy_snapshots().await.unwrap(), 0, "moved once");
        for table in [
            "snapshot_patients",
            "snapshot_episodes",
            "snapshot_medications",
            "snapshot_determinants",
            "snapshot_programs",
        ] {
            assert_eq!(count(db, &format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table}");
        }
        // Both had an identity, so both are kept (P2 is 37 and not frail).
        let people = db.snapshot_people(snapshot).await.unwrap();
        assert_eq!(
            people.iter().map(|p| p.his_id.as_str()).collect::<Vec<_>>(),
            ["P1", "P2"]
        );
        assert_eq!(people[0].address.as_deref(), Some("Markt 1"));
        assert_eq!(people[1].registration_end, Some("2026-12-31".parse().unwrap()));
        let his = db.his_record(snapshot, "P1").await.unwrap();
        assert_eq!(his.episodes[0].text.as_deref(), Some("Kwetsbare oudere"));
        assert_eq!(his.medications[0].dosage.as_deref(), Some("1 dd 1"));
        assert_eq!(his.determinants[0].labcode, 2803);
        assert_eq!(his.programs[0].code, "DM2");
        let facts = db.snapshot_facts_keyed(snapshot).await.unwrap();
        assert_eq!(facts.len(), 2, "the facts were made from the rows");
        assert_eq!(facts[0].1.episodes[0].icpc, "A05");
        let p1 = db.patient_by_his_id(practice, "P1").await.unwrap().unwrap();
        assert_eq!(
            db.practice_patients_with_bsn(practice, "271134860").await.unwrap(),
            [p1.id]
        );
        assert_eq!(db.patients_with_bsn("271134860").await.unwrap(), [p1.id]);
        t.finish().await;
    }
}
