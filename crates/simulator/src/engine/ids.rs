//! Call ids shaped like the seeds' `callUuid` (`013V08JRL498H1OI04000VTAES00000R`: 32 chars,
//! a constant part, then a 6-digit base-32 counter) and 16-hex `connId`s
//! (`0071023821aec01b`, consecutive for consecutive calls).
//!
//! Why this shape: clients must treat ids as opaque, and the only way to catch one that does
//! not is to serve ids that look exactly like a real server's.

/// The prefix used when none is configured (26 chars: 21 + `VTAES`).
pub const DEFAULT_PREFIX: &str = "013V08JRL498H1OI04000VTAES";
/// The connId base used when none is configured.
pub const DEFAULT_CONN_BASE: u64 = 0x0071_0238_21ae_c000;

const BASE32: &[u8; 32] = b"0123456789ABCDEFGHIJKLMNOPQRSTUV";

/// A 26-char prefix from arbitrary random bytes: `01`, 19 base-32 chars, `VTAES`.
pub fn prefix_from_bytes(bytes: &[u8]) -> String {
    let mut prefix = String::from("01");
    for i in 0..19 {
        let byte = bytes.get(i % bytes.len().max(1)).copied().unwrap_or(0);
        prefix.push(BASE32[usize::from(byte.wrapping_add(i as u8)) % 32] as char);
    }
    prefix.push_str("VTAES");
    prefix
}

/// The call id for the `seq`-th call: `prefix` + 6 base-32 digits.
pub fn call_id(prefix: &str, seq: u64) -> String {
    let mut digits = [b'0'; 6];
    let mut rest = seq;
    for slot in digits.iter_mut().rev() {
        *slot = BASE32[(rest % 32) as usize];
        rest /= 32;
    }
    let mut id = prefix.to_string();
    id.extend(digits.iter().map(|&d| d as char));
    id
}

/// The connId for the `seq`-th call: 16 lowercase hex digits.
pub fn conn_id(base: u64, seq: u64) -> String {
    format!("{:016x}", base.wrapping_add(seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_ids_look_like_the_seed_call_uuids() {
        assert_eq!(
            call_id(DEFAULT_PREFIX, 27),
            "013V08JRL498H1OI04000VTAES00000R"
        );
        assert_eq!(
            call_id(DEFAULT_PREFIX, 28),
            "013V08JRL498H1OI04000VTAES00000S"
        );
        assert_eq!(call_id(DEFAULT_PREFIX, 1).len(), 32);
    }

    #[test]
    fn conn_ids_are_sixteen_lowercase_hex_digits() {
        assert_eq!(conn_id(DEFAULT_CONN_BASE, 0x1b), "0071023821aec01b");
        let id = conn_id(u64::MAX, 5);
        assert_eq!(id.len(), 16);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn random_prefixes_keep_the_shape() {
        let prefix = prefix_from_bytes(&[200, 7, 99, 255]);
        assert_eq!(prefix.len(), 26);
        assert!(prefix.starts_with("01") && prefix.ends_with("VTAES"));
        assert_eq!(prefix_from_bytes(&[]).len(), 26);
    }
}
