//! The PostgreSQL writer of a snapshot: one short transaction on a native connection
//! ([`crate::Db::bulk_postgres`]; the `Any` driver binds no arrays), the records and the
//! lasting identities each in one statement over arrays (`UNNEST`).

use std::collections::HashSet;

use sqlx::PgPool;

use super::builder::SnapshotBuilder;
use super::{sql, SnapshotHeader, SnapshotSummary};
use crate::facts_blob::FORMAT;
use crate::{now_timestamp, StoreResult};

/// Writes a snapshot in one transaction; see [`super::SnapshotWriter::finish`].
pub(super) async fn write(
    pool: &PgPool,
    header: &SnapshotHeader,
    mut b: SnapshotBuilder,
) -> StoreResult<SnapshotSummary> {
    let mut tx = pool.begin().await?;
    // The stored values are large: PostgreSQL tries to compress them on the way in, with
    // pglz unless told otherwise, which took a third of each write; lz4 is several times
    // faster. Only where the server was built with it. The records and facts now come
    // packed already (`crate::compact::pack`), so the attempt finds little to gain; a
    // column stored `EXTERNAL` would skip it, but would need a migration for PostgreSQL
    // alone (the two sets are held to the same statements).
    let lz4: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if lz4 > 0 {
        sqlx::query("SET LOCAL default_toast_compression = 'lz4'")
            .execute(&mut *tx)
            .await?;
    }
    let now = now_timestamp();
    let practice_id: i64 = sqlx::query_scalar(sql::UPSERT_PRACTICE)
        .bind(&header.agb_code)
        .bind(&header.practice_name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
    let day = header.extract_date.format("%Y-%m-%d").to_string();
    let earlier: Option<i64> = sqlx::query_scalar(sql::EARLIER)
        .bind(practice_id)
        .bind(&day)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(id) = earlier {
        for statement in sql::DELETE_EARLIER {
            sqlx::query(statement).bind(id).execute(&mut *tx).await?;
        }
    }
    let known: HashSet<String> = sqlx::query_scalar::<_, String>(sql::KNOWN)
        .bind(practice_id)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    let (records, facts) = b.records_and_facts(header.extract_date, &known)?;
    let snapshot_id: i64 = sqlx::query_scalar(sql::INSERT_SNAPSHOT)
        .bind(practice_id)
        .bind(&day)
        .bind(&now)
        .bind(&header.source)
        .bind(records.buckets)
        .fetch_one(&mut *tx)
        .await?;
    let (buckets, values): (Vec<i64>, Vec<Vec<u8>>) = records.rows.into_iter().unzip();
    sqlx::query(
        "INSERT INTO snapshot_records (snapshot_id, bucket, data) \
         SELECT $1, bucket, data FROM UNNEST($2::bigint[], $3::bytea[]) AS r (bucket, data)",
    )
    .bind(snapshot_id)
    .bind(buckets)
    .bind(values)
    .execute(&mut *tx)
    .await?;
    let latest = 1
        == sqlx::query_scalar::<_, i64>(sql::LATEST)
            .bind(practice_id)
            .bind(&day)
            .fetch_one(&mut *tx)
            .await?;
    let (his_ids, bsns): (Vec<String>, Vec<Option<String>>) = records.kept.into_iter().unzip();
    sqlx::query(&format!(
        "INSERT INTO patients (practice_id, his_id, created_at, bsn) \
         SELECT $1, his_id, $2, bsn FROM UNNEST($3::text[], $4::text[]) AS k (his_id, bsn){}",
        if latest {
            sql::IDENTITY_CONFLICT
        } else {
            sql::IDENTITY_KEEP
        }
    ))
    .bind(practice_id)
    .bind(&now)
    .bind(his_ids)
    .bind(bsns)
    .execute(&mut *tx)
    .await?;
    if let Some(c) = &b.contact {
        sqlx::query(sql::CONTACT)
            .bind(&c.address)
            .bind(&c.city)
            .bind(&c.phone)
            .bind(practice_id)
            .execute(&mut *tx)
            .await?;
    }
    let c = &b.counts;
    sqlx::query(sql::COUNTS)
        .bind(c.patients as i64)
        .bind(c.episodes as i64)
        .bind(c.medications as i64)
        .bind(c.determinants as i64)
        .bind(c.programs as i64)
        .bind(snapshot_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(sql::FACTS)
        .bind(snapshot_id)
        .bind(FORMAT)
        .bind(facts)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(SnapshotSummary {
        snapshot_id,
        practice_id,
        replaced: earlier.is_some(),
        rows: b.counts,
    })
}
