//! Lower-case hexadecimal, the form Steward stores digests and keys in.

/// `bytes` as lower-case hex digits, two per byte.
pub fn encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // On every authenticated request (token fingerprints): no formatting machinery.
        for nibble in [byte >> 4, byte & 0x0f] {
            text.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    text
}

/// The bytes of lower-case hex `text`; `None` for anything else (odd length, upper case,
/// other characters), so a stored or presented value has one spelling.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |byte: u8| match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    };
    text.as_bytes().chunks(2).map(|pair| Some((digit(*pair.first()?)? << 4) | digit(*pair.get(1)?)?)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_spellings() {
        assert_eq!(encode(&[0x00, 0x9f, 0xff]), "009fff");
        assert_eq!(decode("009fff"), Some(vec![0x00, 0x9f, 0xff]));
        assert_eq!(decode(""), Some(vec![]));
        for bad in ["0", "0g", "FF", " 00", "0x00"] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
