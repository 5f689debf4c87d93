//! `kernteam import --max-bytes`: an extract over the limit is refused, located, and
//! nothing is stored; within it the same extract imports.

use std::path::Path;
use std::process::Command;

use kernteam_store::testing;

const EXE: &str = env!("CARGO_BIN_EXE_kernteam");

#[tokio::test]
async fn max_bytes_refuses_a_larger_extract() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/example/extract-09000001-2027-07-04");
    let t = testing::sqlite().await;
    let out = Command::new(EXE)
        .args(["--database-url", &t.url, "import", "--max-bytes", "10000"])
        .arg(&example)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("maximaal 10000 bytes"), "{stderr}");
    assert!(t.db.snapshots().await.unwrap().is_empty());
    let out = Command::new(EXE)
        .args(["--database-url", &t.url, "import"])
        .arg(&example)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(t.db.snapshots().await.unwrap().len(), 1);
    t.finish().await;
}
