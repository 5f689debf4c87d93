//! The real binary: `kernteam serve` on a fresh database asks a practice's POH-O and the
//! beheerder for a second factor after their password; `kernteam audit verify` reports a
//! removed newest record on a copy of the database.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};

const EXE: &str = env!("CARGO_BIN_EXE_kernteam");
const PASSWORD: &str = "een lange zin als wachtwoord";

fn kernteam(db: &str, key: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(EXE);
    c.args(["--database-url", db, "--key-file"]).arg(key).args(args);
    c
}

fn run_ok(mut c: Command, stdin: Option<&str>) -> String {
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A minimal HTTP/1.1 exchange: status, headers (lower-case names), body.
fn http(addr: &str, method: &str, path: &str, cookie: &str, body: &str) -> (u16, Vec<(String, String)>, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        req.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if method == "POST" {
        req.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    h.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
}

fn cookie_pair(h: &[(String, String)], name: &str) -> String {
    header(h, "set-cookie")
        .into_iter()
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {h:?}"))
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// Signs in with the password; the session cookie and where it was sent.
fn password_sign_in(addr: &str, username: &str) -> (String, String) {
    let (status, h, page) = http(addr, "GET", "/inloggen", "", "");
    assert_eq!(status, 200);
    let csrf_cookie = cookie_pair(&h, "kernteam_login_csrf");
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = &page[start..start + page[start..].find('"').unwrap()];
    let form = format!(
        "username={username}&password={}&csrf={csrf}",
        PASSWORD.replace(' ', "+")
    );
    let (status, h, body) = http(addr, "POST", "/inloggen", &csrf_cookie, &form);
    assert_eq!(status, 303, "sign-in of {username}: {body}");
    (
        cookie_pair(&h, "kernteam_session"),
        header(&h, "location")[0].to_string(),
    )
}

#[test]
fn serve_asks_every_patient_data_role_and_the_beheerder_for_a_second_factor() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("kernteam.db");
    let db = format!("sqlite://{}", db_path.display());
    let key = dir.path().join("kernteam.key");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/example/extract-09000001-2027-07-04");
    let mut import = kernteam(&db, &key, &["import"]);
    import.arg(&example);
    run_ok(import, None);
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key file is created private");
    }
    for (user, role, extra) in [
        ("poh-a", "poh_o", vec!["--practice", "09000001"]),
        ("beheer", "beheerder", vec![]),
    ] {
        let mut args = vec![
            "user",
            "add",
            "--username",
            user,
            "--name",
            user,
            "--role",
            role,
            "--password-stdin",
        ];
        args.extend(extra);
        run_ok(kernteam(&db, &key, &args), Some(&format!("{PASSWORD}\n")));
    }

    let mut server = kernteam(&db, &key, &["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(server.stdout.take().unwrap());
    let mut said = String::new();
    let addr = loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "serve stopped: {said}");
        said.push_str(&line);
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    assert!(said.contains("tweestapsverificatie verplicht"), "{said}");

    for (user, forbidden) in [("poh-a", "/patienten"), ("beheer", "/beheer")] {
        let (session, next) = password_sign_in(&addr, user);
        assert_eq!(next, "/account/tweestap", "{user} is sent to the second factor");
        for path in [forbidden, "/patienten", "/beheer"] {
            let (status, h, _) = http(&addr, "GET", path, &session, "");
            assert_eq!(status, 303, "{user} {path}");
            assert_eq!(header(&h, "location"), ["/inloggen/code"], "{user} {path}");
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();

    // `audit verify` on a copy: intact, then with the newest record removed and the head
    // rolled back by SQL it names that record and fails.
    let copy = dir.path().join("copy.db");
    let mut backup = kernteam(&db, &key, &["backup", "--output"]);
    backup.arg(&copy);
    run_ok(backup, None);
    let copy_url = format!("sqlite://{}", copy.display());
    let anchor = dir.path().join("kernteam.anchor");
    let verify = |url: &str| {
        kernteam(url, &key, &["audit", "verify"])
            .arg("--audit-anchor")
            .arg(&anchor)
            .output()
            .unwrap()
    };
    let ok = verify(&copy_url);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
    let n: i64 = sqlite(&copy, "SELECT MAX(seq) FROM audit_log").parse().unwrap();
    assert!(n >= 2, "sign-ins were audited");
    sqlite(&copy, &format!("DELETE FROM audit_log WHERE seq = {n}"));
    sqlite(
        &copy,
        &format!(
            "UPDATE audit_head SET seq = {}, hash = (SELECT hash FROM audit_log WHERE seq = {}) WHERE id = 1",
            n - 1,
            n - 1
        ),
    );
    let bad = verify(&copy_url);
    let said = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success(), "{said}");
    assert!(said.contains(&format!("record {n}")), "{said}");
}

/// Runs one statement on an SQLite file through sqlx; the first column of the first row.
fn sqlite(path: &Path, sql: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use kernteam_store::sqlx::{self, Row};
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let out = match sqlx::query(sql).fetch_optional(&pool).await.unwrap() {
            Some(r) => r.try_get::<i64, _>(0).map(|v| v.to_string()).unwrap_or_default(),
            None => String::new(),
        };
        pool.close().await;
        out
    })
}
