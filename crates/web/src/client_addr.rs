//! The client address of a request. Behind a reverse proxy the peer is the proxy; only when
//! the peer is one of the operator's trusted proxies (`--trusted-proxy`) is `X-Forwarded-For`
//! read, from the right: the rightmost address that is not itself a trusted proxy is the
//! client (the hops left of it could be written by anyone).

use std::net::IpAddr;

use axum::http::HeaderMap;

/// An address or a network in CIDR notation (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedNet {
    addr: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for TrustedNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is geen IP-adres of netwerk (zoals 10.0.0.1 of 10.0.0.0/8)");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(TrustedNet { addr, prefix })
    }
}

impl TrustedNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The client's address: the peer, or, when the peer is trusted, the rightmost untrusted
/// hop of `X-Forwarded-For` (the leftmost hop when all are trusted).
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[TrustedNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .map(|h| h.parse::<IpAddr>().ok())
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default();
    match hops.iter().rev().find(|ip| !is_trusted(**ip)) {
        Some(ip) => Some(*ip),
        None => Some(hops.first().copied().unwrap_or(peer)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(xff: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert("x-forwarded-for", xff.parse().unwrap());
        m
    }

    #[test]
    fn networks() {
        let n: TrustedNet = "10.1.0.0/16".parse().unwrap();
        assert!(n.contains("10.1.200.3".parse().unwrap()));
        assert!(!n.contains("10.2.0.1".parse().unwrap()));
        assert!(n.contains("::ffff:10.1.0.9".parse().unwrap()));
        let one: TrustedNet = "::1".parse().unwrap();
        assert!(one.contains("::1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<TrustedNet>().is_err());
        assert!("proxy".parse::<TrustedNet>().is_err());
        assert!("0.0.0.0/0"
            .parse::<TrustedNet>()
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
    }

    #[test]
    fn forwarded_for_only_from_trusted_peers() {
        let proxy: TrustedNet = "10.0.0.1".parse().unwrap();
        let peer = Some("10.0.0.1".parse().unwrap());
        let stranger = Some("203.0.113.9".parse().unwrap());
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(client_ip(peer, &h("198.51.100.7"), &[proxy]), ip("198.51.100.7"));
        // A forged hop left of the real client is ignored.
        assert_eq!(
            client_ip(peer, &h("1.2.3.4, 198.51.100.7"), &[proxy]),
            ip("198.51.100.7")
        );
        // From an untrusted peer the header is not believed.
        assert_eq!(client_ip(stranger, &h("198.51.100.7"), &[proxy]), stranger);
        assert_eq!(client_ip(peer, &h("198.51.100.7"), &[]), peer);
        // Trusted peer without (or with a garbled) header: the peer.
        assert_eq!(client_ip(peer, &HeaderMap::new(), &[proxy]), peer);
        assert_eq!(client_ip(peer, &h("nonsense"), &[proxy]), peer);
    }
}
