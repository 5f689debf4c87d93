//! The fields of a `multipart/form-data` body (a form with a file), enough for Kernteam's
//! one upload form: each part's name and bytes. Used by the upload handler and by the
//! CSRF check (which reads the `csrf` part).

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .split(';')
        .find_map(|p| {
            let (k, v) = p.split_once('=')?;
            (k.trim().eq_ignore_ascii_case("boundary")).then(|| v.trim().trim_matches('"').to_string())
        })
        .filter(|b| !b.is_empty() && b.len() <= 200)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

/// The parts of the body as (name, bytes); `None` when it is not well formed.
pub fn parts(body: &[u8], boundary: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let delimiter = format!("--{boundary}");
    let mut at = find(body, delimiter.as_bytes(), 0)? + delimiter.len();
    let mut out = Vec::new();
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            return Some(out);
        }
        at += 2; // CRLF after the delimiter
        let head_end = find(body, b"\r\n\r\n", at)?;
        let head = std::str::from_utf8(&body[at..head_end]).ok()?;
        let name = head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            if !k.trim().eq_ignore_ascii_case("content-disposition") {
                return None;
            }
            v.split(';').find_map(|p| {
                let (k, v) = p.split_once('=')?;
                (k.trim() == "name").then(|| v.trim().trim_matches('"').to_string())
            })
        })?;
        let content = head_end + 4;
        let next = find(body, format!("\r\n{delimiter}").as_bytes(), content)?;
        out.push((name, body[content..next].to_vec()));
        at = next + 2 + delimiter.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fields_and_the_file() {
        let ct = "multipart/form-data; boundary=----x1";
        let b = boundary(ct).unwrap();
        let body = b"------x1\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n------x1\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"a.json\"\r\nContent-Type: application/json\r\n\r\n{\"a\":\r\n1}\r\n------x1--\r\n";
        let p = parts(body, &b).unwrap();
        assert_eq!(p[0], ("csrf".to_string(), b"abc".to_vec()));
        assert_eq!(p[1], ("bestand".to_string(), b"{\"a\":\r\n1}".to_vec()));
        assert_eq!(boundary("application/json"), None);
        assert_eq!(parts(b"rubbish", &b), None);
    }
}
