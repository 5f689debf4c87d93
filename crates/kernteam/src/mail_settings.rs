//! `kernteam serve`'s e-mail settings (`--smtp-url`, `--smtp-from`).

/// The mail queue from `--smtp-url` and `--smtp-from` (both, or neither); says on start
/// where e-mail goes (never the URL's password).
pub fn mailer(url: Option<&str>, from: Option<&str>) -> anyhow::Result<Option<kernteam_app::mail::Mailer>> {
    let (url, from) = match (url.filter(|u| !u.is_empty()), from.filter(|f| !f.is_empty())) {
        (None, None) => {
            println!("e-mail: uit (geen --smtp-url)");
            return Ok(None);
        }
        (Some(_), None) => anyhow::bail!("--smtp-url vraagt ook --smtp-from (de afzender)"),
        (None, Some(_)) => anyhow::bail!("--smtp-from zonder --smtp-url: geef ook de SMTP-server"),
        (Some(u), Some(f)) => (u, f),
    };
    let mailer = kernteam_app::mail::Mailer::start(url, from)?;
    let (server, plain) = describe(url);
    println!("e-mail: aan, via {server} (afzender {from})");
    if plain {
        println!("LET OP: e-mail naar {server} gaat zonder TLS; gebruik smtps:// of ?tls=required");
    }
    Ok(Some(mailer))
}

/// The server as it may be printed (scheme and host, never user or password), and whether
/// mail to it would go without TLS to another host than this one.
fn describe(url: &str) -> (String, bool) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest
        .rsplit('@')
        .next()
        .unwrap_or(rest)
        .split(['/', '?'])
        .next()
        .unwrap_or("");
    let plain = scheme == "smtp" && !url.contains("tls=");
    let local = host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
    (format!("{scheme}://{host}"), plain && !local)
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn the_server_is_named_without_its_password_and_plain_mail_elsewhere_is_flagged() {
        let (shown, plain) = describe("smtps://kernteam:geheim-wachtwoord@mail.example.nl:465");
        assert_eq!(shown, "smtps://mail.example.nl:465");
        assert!(!plain);
        assert_eq!(
            describe("smtp://127.0.0.1:2525"),
            ("smtp://127.0.0.1:2525".into(), false)
        );
        assert!(describe("smtp://relay.example.nl:25").1, "no TLS to another host");
        assert!(!describe("smtp://relay.example.nl:587?tls=required").1);
    }
}
