//! A headless Chromium driven through Debian's chromedriver with fantoccini, plus the few
//! helpers the tests need: explicit waits with useful failure messages, form filling and
//! full-page screenshots.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// How long an explicit wait may take before the test fails.
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 900;

/// A chromedriver process in its own process group; dropping it kills the group, so that
/// no Chromium is left behind when a test fails half-way.
struct Driver {
    child: Child,
    log: PathBuf,
}

impl Driver {
    fn start(dir: &Path) -> (Driver, u16) {
        for binary in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(binary).exists(),
                "{binary} is missing: the browser tests need Debian's chromium and chromium-driver. \
                 Run `bash .ci/run` (it installs them), or `apt-get install chromium chromium-driver`."
            );
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("find a free port")
            .port();
        let log = dir.join("chromedriver.log");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {CHROMEDRIVER} ({e}); run `bash .ci/run` to install it"));
        let mut driver = Driver { child, log };
        let started = Instant::now();
        while !ready(port) {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!(
                    "chromedriver exited with {status} before it was ready:\n{}",
                    driver.log_text()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver was not ready on port {port} within 20 s:\n{}",
                driver.log_text()
            );
            std::thread::sleep(POLL);
        }
        (driver, port)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Whether the chromedriver on `port` answers its status endpoint with `"ready": true`.
fn ready(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    // chromedriver keeps the connection open: read until the answer is there.
    let mut response = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => response.extend_from_slice(&chunk[..n]),
        }
        let text = String::from_utf8_lossy(&response).replace(' ', "");
        if text.starts_with("HTTP/1.1200") && text.contains("\"ready\":true") {
            return true;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group holds chromedriver and the Chromium it started (the id is ours: we made
        // the group when spawning).
        let group = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

pub struct Browser {
    pub client: Client,
    /// The application's address, `http://127.0.0.1:PORT`; paths are relative to it.
    pub base: String,
    driver: Driver,
    // Declared after `driver`: the profile is removed once Chromium is gone.
    profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium; set `base` before navigating.
    pub async fn start() -> Browser {
        let profile = tempfile::tempdir().expect("temp dir for the browser profile");
        let user_data = profile.path().join("chromium");
        let (driver, port) = Driver::start(profile.path());
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--disable-quic".into(),
            // Asks for Dutch pages. (Date fields still show the en-US format unless Debian's
            // chromium-l10n is installed; the fields' values are ISO dates either way.)
            "--lang=nl-NL".into(),
            format!("--window-size={WIDTH},{HEIGHT}"),
            format!("--user-data-dir={}", user_data.display()),
        ];
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "prefs": { "intl.accept_languages": "nl-NL,nl" },
            },
        });
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!(),
        };
        let client = match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => c,
            Err(e) => panic!(
                "could not start a Chromium session through chromedriver: {e}\n{}",
                driver.log_text()
            ),
        };
        Browser {
            client,
            base: String::new(),
            driver,
            profile,
        }
    }

    /// Ends the browser session (Chromium quits); chromedriver is killed on drop.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        drop(self.driver);
        drop(self.profile);
    }

    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The current path and query, e.g. `/patienten?filter=alle`.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Waits for an element matching the XPath expression; fails with the page's URL and
    /// text when it does not appear.
    pub async fn wait(&self, xpath: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(Locator::XPath(xpath))
            .await
        {
            Ok(e) => e,
            Err(e) => panic!("waiting for {xpath}: {e}\n{}", self.describe().await),
        }
    }

    /// Waits for the page's `<h1>` to read exactly `text`, then checks the page with
    /// axe-core (see [`Browser::check_accessibility`]): every page a test reaches is
    /// checked once it is there.
    pub async fn wait_heading(&self, text: &str) -> Element {
        let h = self.wait(&format!("//h1[normalize-space()={}]", lit(text))).await;
        self.check_accessibility().await;
        h
    }

    /// Runs axe-core on the current page and fails on serious or critical violations.
    /// axe-core comes from npm (`npm install --prefix target/axe axe-core`, which
    /// `.ci/run` does); without it the check is skipped with a note, unless
    /// `KERNTEAM_REQUIRE_AXE=1` (CI) makes that a failure. `KERNTEAM_AXE_JS` names
    /// another copy of `axe.min.js`.
    pub async fn check_accessibility(&self) {
        let Some(source) = axe_source() else { return };
        self.client
            .execute(&format!("{source}\nreturn true;"), vec![])
            .await
            .expect("inject axe-core");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations \
                   .filter(v => v.impact === 'serious' || v.impact === 'critical') \
                   .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' + \
                        v.nodes.map(n => n.target.join(' ')).join(', ')))) \
                 .catch(e => done(['axe-core failed: ' + e]));",
                vec![],
            )
            .await
            .expect("run axe-core");
        let violations: Vec<String> = serde_json::from_value(found).expect("axe-core's answer");
        assert!(
            violations.is_empty(),
            "axe-core at {}:\n{}",
            self.path().await,
            violations.join("\n")
        );
    }

    pub async fn all(&self, xpath: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::XPath(xpath))
            .await
            .unwrap_or_else(|e| panic!("find {xpath}: {e}"))
    }

    /// The normalised text of every element matching the XPath expression.
    pub async fn texts(&self, xpath: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.all(xpath).await {
            out.push(normalise(&e.text().await.expect("element text")));
        }
        out
    }

    pub async fn click(&self, xpath: &str) {
        let e = self.wait(xpath).await;
        e.click().await.unwrap_or_else(|err| panic!("click {xpath}: {err}"));
    }

    /// Clicks the link with exactly this text.
    pub async fn click_link(&self, text: &str) {
        self.click(&format!("//a[normalize-space()={}]", lit(text))).await;
    }

    /// Types `value` into the field with this id, replacing what was there.
    pub async fn fill(&self, id: &str, value: &str) {
        let e = self.wait(&format!("//*[@id={}]", lit(id))).await;
        e.clear().await.unwrap_or_else(|err| panic!("clear #{id}: {err}"));
        e.send_keys(value)
            .await
            .unwrap_or_else(|err| panic!("type into #{id}: {err}"));
    }

    /// Sets a date field (typing into one depends on the browser's locale), firing the
    /// events a user's input would.
    pub async fn set_date(&self, id: &str, date: chrono::NaiveDate) {
        let e = self.wait(&format!("//input[@id={}][@type='date']", lit(id))).await;
        self.client
            .execute(
                "arguments[0].value = arguments[1];
                 arguments[0].dispatchEvent(new Event('input', { bubbles: true }));
                 arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
                vec![json!(e), json!(date.to_string())],
            )
            .await
            .unwrap_or_else(|err| panic!("set #{id}: {err}"));
    }

    /// Chooses the option with exactly this visible text in the select with this id.
    pub async fn choose(&self, id: &str, label: &str) {
        let option = self
            .wait(&format!(
                "//select[@id={}]/option[normalize-space()={}]",
                lit(id),
                lit(label)
            ))
            .await;
        option
            .click()
            .await
            .unwrap_or_else(|err| panic!("choose {label:?} in #{id}: {err}"));
        let selected = self
            .client
            .execute(
                "return arguments[0].options[arguments[0].selectedIndex].text;",
                vec![json!(self.wait(&format!("//select[@id={}]", lit(id))).await)],
            )
            .await
            .expect("read the selected option");
        assert_eq!(
            selected.as_str().map(normalise).as_deref(),
            Some(label),
            "selected in #{id}"
        );
    }

    /// A PNG of the whole page (the window grown to the page's height) in `dir/name.png`.
    pub async fn screenshot(&self, dir: &Path, name: &str) -> PathBuf {
        // The window is taller than its viewport by the (invisible) browser chrome.
        let sizes = self
            .client
            .execute(
                "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight];",
                vec![],
            )
            .await
            .expect("page height");
        let size = |i: usize| sizes[i].as_u64().unwrap_or(0) as u32;
        let height = (size(0) + size(1)).clamp(HEIGHT, 10_000);
        self.client.set_window_size(WIDTH, height).await.expect("resize window");
        let png = self.client.screenshot().await.expect("screenshot");
        self.client.set_window_size(WIDTH, HEIGHT).await.expect("resize window");
        assert!(png.starts_with(b"\x89PNG"), "a screenshot is a PNG");
        std::fs::create_dir_all(dir).expect("screenshot folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    async fn describe(&self) -> String {
        let url = match self.client.current_url().await {
            Ok(u) => u.to_string(),
            Err(e) => format!("(no URL: {e})"),
        };
        let text = match self.client.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_else(|e: CmdError| format!("(no text: {e})")),
            Err(e) => format!("(no body: {e})"),
        };
        let text: String = text.chars().take(3000).collect();
        format!("at {url}; the page reads:\n{text}")
    }
}

/// An XPath string literal for any text (XPath 1.0 has no escapes).
/// The text of `axe.min.js`, read once; `None` (skip) when it is not installed.
fn axe_source() -> Option<&'static str> {
    static SOURCE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path = std::env::var_os("KERNTEAM_AXE_JS")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/axe/node_modules/axe-core/axe.min.js")
                });
            match std::fs::read_to_string(&path) {
                Ok(s) => Some(s),
                Err(e) if std::env::var("KERNTEAM_REQUIRE_AXE").as_deref() == Ok("1") => {
                    panic!("axe-core is required but {} cannot be read: {e}", path.display())
                }
                Err(_) => {
                    eprintln!(
                        "note: axe-core not installed ({}); accessibility checks skipped. \
                         Install with: npm install --prefix target/axe axe-core",
                        path.display()
                    );
                    None
                }
            }
        })
        .as_deref()
}

pub fn lit(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// Collapses runs of white space, as XPath's normalize-space does.
pub fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where screenshots go: `target/e2e-screenshots/`, beside the test binary's profile folder.
pub fn screenshot_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir).join("e2e-screenshots");
    }
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/e2e-HASH
    exe.ancestors()
        .nth(3)
        .map(|target| target.join("e2e-screenshots"))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots"))
}
