// `sqlx::migrate!` embeds the migration files at compile time, but cargo does not know
// that they are inputs: without this, a new migration file is missed by an incremental
// build (sqlx's documented fix).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
