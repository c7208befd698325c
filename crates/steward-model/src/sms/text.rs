//! An SMS text and what it costs on the air: GSM 03.38 7-bit when every character allows it,
//! UCS-2 otherwise, cut into concatenated parts the way a gateway cuts it.
//!
//! Quotas and statistics count parts (Janua's `number_of_slices`), and Steward sends through
//! Kannel or smstools rather than a modem of its own, so it computes the count itself.

use std::fmt;

use crate::ParseError;

/// How a text is encoded for the air; it decides what one part holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmsEncoding {
    /// The GSM 03.38 default alphabet, counted in septets. Characters of its extension table
    /// (`^ { } \ [ ~ ] | €` and form feed) are an escape plus a septet: two each.
    Gsm7,
    /// UCS-2, counted in 16-bit units as UTF-16 counts them: a character outside the Basic
    /// Multilingual Plane (most emoji) is a surrogate pair, two units. Used as soon as one
    /// character of the text is outside the GSM alphabet.
    Ucs2,
}

impl SmsEncoding {
    /// Units a single, unsplit SMS holds: 160 septets or 70 UCS-2 units (140 bytes).
    pub const fn single_part_capacity(self) -> u32 {
        match self {
            Self::Gsm7 => 160,
            Self::Ucs2 => 70,
        }
    }

    /// Units each part of a concatenated SMS holds once its 6-byte header is taken:
    /// 153 septets or 67 UCS-2 units.
    pub const fn concatenated_part_capacity(self) -> u32 {
        match self {
            Self::Gsm7 => 153,
            Self::Ucs2 => 67,
        }
    }

    /// What this encoding counts, for messages: "septets" or "UCS-2 units".
    pub const fn unit_name(self) -> &'static str {
        match self {
            Self::Gsm7 => "septets",
            Self::Ucs2 => "UCS-2 units",
        }
    }

    /// The units `character` takes in this encoding. In GSM-7 a character outside the
    /// alphabet has no cost of its own (a text holding one is UCS-2); two is returned so the
    /// function stays total.
    fn units_of(self, character: char) -> u32 {
        match self {
            Self::Gsm7 => gsm7_septets(character).unwrap_or(2),
            // `len_utf16` is 1 or 2, so the conversion cannot fail.
            Self::Ucs2 => u32::try_from(character.len_utf16()).unwrap_or(2),
        }
    }
}

impl fmt::Display for SmsEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Gsm7 => "GSM-7",
            Self::Ucs2 => "UCS-2",
        })
    }
}

/// The septets a character takes in the GSM 03.38 default alphabet (1) or through its
/// extension table (2), or `None` when the alphabet cannot carry it.
#[rustfmt::skip] // one line per row of the 3GPP table reads better than one per character
fn gsm7_septets(character: char) -> Option<u32> {
    match character {
        // The default alphabet, row by row of 3GPP TS 23.038 §6.2.1 (0x1B is the escape to
        // the extension table, not a character). Greek capitals are written as escapes so
        // that no Latin look-alike slips in.
        '@' | '£' | '$' | '¥' | 'è' | 'é' | 'ù' | 'ì' | 'ò' | 'Ç' | '\n' | 'Ø' | 'ø' | '\r' | 'Å' | 'å'
        | '\u{0394}' | '_' | '\u{03A6}' | '\u{0393}' | '\u{039B}' | '\u{03A9}' | '\u{03A0}' | '\u{03A8}'
        | '\u{03A3}' | '\u{0398}' | '\u{039E}' | 'Æ' | 'æ' | 'ß' | 'É'
        | ' ' | '!' | '"' | '#' | '¤' | '%' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | '-' | '.' | '/'
        | '0'..='9' | ':' | ';' | '<' | '=' | '>' | '?'
        | '¡' | 'A'..='Z' | 'Ä' | 'Ö' | 'Ñ' | 'Ü' | '§'
        | '¿' | 'a'..='z' | 'ä' | 'ö' | 'ñ' | 'ü' | 'à' => Some(1),
        // The extension table (§6.2.1.1): escape + septet.
        '\u{000C}' | '^' | '{' | '}' | '\\' | '[' | '~' | ']' | '|' | '€' => Some(2),
        _ => None,
    }
}

/// What a text costs once encoded: its encoding, its length in that encoding's units, and
/// the number of SMS it is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SmsSize {
    /// GSM-7 if every character allows it, else UCS-2.
    encoding: SmsEncoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2), saturating at `u32::MAX`.
    units: u32,
    /// 1 up to the single-part capacity, else the concatenated parts; never 0.
    parts: u32,
}

impl SmsSize {
    /// Measures any text, even one too long for [`SmsText`] (a received SMS, an old log row).
    /// An empty text is 0 units sent as one (empty) SMS.
    ///
    /// Parts are filled in order, and a character never straddles two parts: an extension
    /// character's escape stays with its septet and a surrogate pair stays whole, so when
    /// such a character would cross a part's end it opens the next part. This is how
    /// gateways split (Kannel, smstools), so the count can exceed
    /// `ceil(units / part capacity)` by one or more.
    pub fn of(text: &str) -> Self {
        let gsm7_units = text.chars().try_fold(0_u32, |total, character| {
            gsm7_septets(character).map(|units| total.saturating_add(units))
        });
        let (encoding, units) = match gsm7_units {
            Some(units) => (SmsEncoding::Gsm7, units),
            None => (
                SmsEncoding::Ucs2,
                text.chars().fold(0_u32, |total, character| {
                    total.saturating_add(SmsEncoding::Ucs2.units_of(character))
                }),
            ),
        };
        let parts = if units <= encoding.single_part_capacity() {
            1
        } else {
            concatenated_parts(text, encoding)
        };
        Self {
            encoding,
            units,
            parts,
        }
    }

    /// The encoding the text is sent in.
    pub fn encoding(&self) -> SmsEncoding {
        self.encoding
    }

    /// The text's length in its encoding's units (septets or UCS-2 units).
    pub fn units(&self) -> u32 {
        self.units
    }

    /// How many SMS the text is sent as: what quotas and statistics count. Never 0.
    pub fn parts(&self) -> u32 {
        self.parts
    }
}

/// Parts of a text longer than one SMS, filled greedily without splitting a character.
fn concatenated_parts(text: &str, encoding: SmsEncoding) -> u32 {
    let capacity = encoding.concatenated_part_capacity();
    let mut parts = 1_u32;
    let mut used_in_part = 0_u32;
    for character in text.chars() {
        let units = encoding.units_of(character);
        // `used_in_part` never exceeds the capacity (153 or 67), so this cannot overflow.
        if used_in_part + units > capacity {
            parts = parts.saturating_add(1);
            used_in_part = 0;
        }
        used_in_part += units;
    }
    parts
}

/// A text that can be sent as one SMS message: not empty and at most
/// [`SmsText::MAX_PARTS`] parts long.
///
/// Janua gives no maximum and concatenation could go to 255 parts, but handsets and
/// operators do not reliably reassemble that many (Twilio, for one, stops at 1 600
/// characters, about ten parts), and with Janua's default quota of 100 parts a month one
/// runaway text would spend it several times over. Steward therefore caps a message at
/// 10 parts: 1 530 characters of the GSM alphabet, or 670 UCS-2 units (about 670
/// characters of other scripts, 335 emoji). The cap is on parts, not characters, because
/// parts are what a recipient receives and what the quota counts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SmsText {
    /// The text as given; never empty.
    text: String,
    /// Its encoding and part count, computed once at parse time.
    size: SmsSize,
}

impl SmsText {
    /// Most parts one message may be sent as (see the type's documentation for why 10).
    pub const MAX_PARTS: u32 = 10;

    /// Parses a message text, refusing an empty one and one longer than
    /// [`SmsText::MAX_PARTS`] parts. Whitespace counts as text: a message of one space is
    /// an SMS like any other, as it was in Janua.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.is_empty() {
            return Err(ParseError("the SMS text is empty".into()));
        }
        let size = SmsSize::of(raw);
        if size.parts > Self::MAX_PARTS {
            return Err(ParseError(format!(
                "the SMS text is too long: it needs {} parts ({} {} in {}), and at most {} are sent \
                 ({} characters of the GSM alphabet, or {} UCS-2 units otherwise)",
                size.parts,
                size.units,
                size.encoding.unit_name(),
                size.encoding,
                Self::MAX_PARTS,
                Self::MAX_PARTS * SmsEncoding::Gsm7.concatenated_part_capacity(),
                Self::MAX_PARTS * SmsEncoding::Ucs2.concatenated_part_capacity(),
            )));
        }
        Ok(Self {
            text: raw.to_owned(),
            size,
        })
    }

    /// The text as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Its encoding, units and parts.
    pub fn size(&self) -> SmsSize {
        self.size
    }

    /// The encoding a gateway must be asked for (Kannel's `coding`: 0 for GSM-7, 2 for UCS-2).
    pub fn encoding(&self) -> SmsEncoding {
        self.size.encoding
    }

    /// How many SMS it is sent as, from 1 to [`SmsText::MAX_PARTS`]: Janua's `number_of_slices`.
    pub fn parts(&self) -> u32 {
        self.size.parts
    }
}

impl TryFrom<String> for SmsText {
    type Error = ParseError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<SmsText> for String {
    fn from(text: SmsText) -> Self {
        text.text
    }
}

impl fmt::Display for SmsText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character of the default alphabet (0x1B, the escape, excluded).
    const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                              ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    /// Every character of the extension table.
    const GSM7_EXTENSION: &str = "\u{000C}^{}\\[~]|€";

    fn size(text: &str) -> (SmsEncoding, u32, u32) {
        let size = SmsSize::of(text);
        (size.encoding(), size.units(), size.parts())
    }

    fn repeat(character: char, times: usize) -> String {
        std::iter::repeat_n(character, times).collect()
    }

    #[test]
    fn the_whole_default_alphabet_is_one_septet_a_character() {
        assert_eq!(GSM7_BASIC.chars().count(), 127);
        assert_eq!(size(GSM7_BASIC), (SmsEncoding::Gsm7, 127, 1));
        for character in GSM7_BASIC.chars() {
            assert_eq!(gsm7_septets(character), Some(1), "{character:?}");
        }
    }

    #[test]
    fn every_extension_character_costs_two_septets() {
        assert_eq!(size(GSM7_EXTENSION), (SmsEncoding::Gsm7, 20, 1));
        for character in GSM7_EXTENSION.chars() {
            assert_eq!(
                size(&character.to_string()),
                (SmsEncoding::Gsm7, 2, 1),
                "{character:?}"
            );
        }
    }

    #[test]
    fn one_character_outside_the_alphabet_makes_the_whole_text_ucs2() {
        // Look-alikes and near misses: lower-case ç, ê, a backtick, a tab, the ohm sign
        // (not the Greek Omega), a Latin capital A with grave, NUL (not '@').
        for character in ['ç', 'ê', '`', '\t', '\u{2126}', 'À', '\0', 'ж', '😀'] {
            assert_eq!(
                size(&format!("Hello {character}")).0,
                SmsEncoding::Ucs2,
                "{character:?}"
            );
        }
        // 159 GSM characters and one Cyrillic: 160 UCS-2 units, three parts of 67.
        let text = format!("{}ж", repeat('a', 159));
        assert_eq!(size(&text), (SmsEncoding::Ucs2, 160, 3));
    }

    #[test]
    fn gsm7_single_part_ends_at_160_septets() {
        assert_eq!(size("a"), (SmsEncoding::Gsm7, 1, 1));
        assert_eq!(size(&repeat('a', 160)), (SmsEncoding::Gsm7, 160, 1));
        assert_eq!(size(&repeat('a', 161)), (SmsEncoding::Gsm7, 161, 2));
    }

    #[test]
    fn gsm7_concatenated_parts_hold_153_septets() {
        assert_eq!(size(&repeat('a', 153 * 2)), (SmsEncoding::Gsm7, 306, 2));
        assert_eq!(size(&repeat('a', 153 * 2 + 1)), (SmsEncoding::Gsm7, 307, 3));
        assert_eq!(size(&repeat('a', 153 * 3)), (SmsEncoding::Gsm7, 459, 3));
        assert_eq!(size(&repeat('a', 153 * 10)), (SmsEncoding::Gsm7, 1530, 10));
    }

    #[test]
    fn extension_characters_count_twice_towards_the_single_part_limit() {
        assert_eq!(size(&repeat('€', 80)), (SmsEncoding::Gsm7, 160, 1));
        assert_eq!(
            size(&format!("{}€", repeat('a', 158))),
            (SmsEncoding::Gsm7, 160, 1)
        );
        assert_eq!(
            size(&format!("{}€", repeat('a', 159))),
            (SmsEncoding::Gsm7, 161, 2)
        );
        assert_eq!(size(&repeat('{', 81)), (SmsEncoding::Gsm7, 162, 2));
    }

    #[test]
    fn an_extension_character_at_a_part_boundary_moves_to_the_next_part() {
        // 152 + [escape | septet] + 152 = 306 septets: ceil(306/153) would be 2, but the
        // escape cannot end part 1 alone, so part 1 has 152, part 2 has € + 151, part 3 has 1.
        let straddling = format!("{}€{}", repeat('a', 152), repeat('a', 152));
        assert_eq!(size(&straddling), (SmsEncoding::Gsm7, 306, 3));
        // Shifted by one, the € ends part 1 exactly: two parts.
        let fitting = format!("{}€{}", repeat('a', 151), repeat('a', 153));
        assert_eq!(size(&fitting), (SmsEncoding::Gsm7, 306, 2));
        // Form feed is an extension character too.
        let form_feed = format!("{}\u{000C}{}", repeat('a', 152), repeat('a', 152));
        assert_eq!(size(&form_feed), (SmsEncoding::Gsm7, 306, 3));
        // Only extension characters: 76 fit a part (152 septets, the 153rd would split one),
        // so 153 of them (306 septets, "two parts' worth") are three parts.
        assert_eq!(size(&repeat('~', 153)), (SmsEncoding::Gsm7, 306, 3));
    }

    #[test]
    fn ucs2_single_part_ends_at_70_units() {
        assert_eq!(size("ж"), (SmsEncoding::Ucs2, 1, 1));
        assert_eq!(size(&repeat('ж', 70)), (SmsEncoding::Ucs2, 70, 1));
        assert_eq!(size(&repeat('ж', 71)), (SmsEncoding::Ucs2, 71, 2));
    }

    #[test]
    fn ucs2_concatenated_parts_hold_67_units() {
        assert_eq!(size(&repeat('ж', 67 * 2)), (SmsEncoding::Ucs2, 134, 2));
        assert_eq!(size(&repeat('ж', 67 * 2 + 1)), (SmsEncoding::Ucs2, 135, 3));
        assert_eq!(size(&repeat('ж', 67 * 10)), (SmsEncoding::Ucs2, 670, 10));
    }

    #[test]
    fn emoji_outside_the_bmp_take_two_units_and_are_never_split() {
        assert_eq!(size("😀"), (SmsEncoding::Ucs2, 2, 1));
        assert_eq!(size(&repeat('😀', 35)), (SmsEncoding::Ucs2, 70, 1));
        assert_eq!(size(&repeat('😀', 36)), (SmsEncoding::Ucs2, 72, 2));
        // 66 + [surrogate pair] + 66 = 134 units: the pair cannot straddle parts 1 and 2.
        let straddling = format!("{}😀{}", repeat('ж', 66), repeat('ж', 66));
        assert_eq!(size(&straddling), (SmsEncoding::Ucs2, 134, 3));
        let fitting = format!("{}😀{}", repeat('ж', 65), repeat('ж', 67));
        assert_eq!(size(&fitting), (SmsEncoding::Ucs2, 134, 2));
        // Only emoji: 33 pairs (66 units) per part, so 67 emoji = 134 units is three parts.
        assert_eq!(size(&repeat('😀', 67)), (SmsEncoding::Ucs2, 134, 3));
    }

    #[test]
    fn an_empty_text_measures_as_one_empty_sms_but_is_refused() {
        assert_eq!(size(""), (SmsEncoding::Gsm7, 0, 1));
        assert_eq!(
            SmsText::parse(""),
            Err(ParseError("the SMS text is empty".into()))
        );
    }

    #[test]
    fn a_text_is_accepted_up_to_ten_parts() {
        let longest_gsm7 = SmsText::parse(&repeat('a', 1530)).unwrap();
        assert_eq!(
            (longest_gsm7.encoding(), longest_gsm7.parts()),
            (SmsEncoding::Gsm7, 10)
        );
        let longest_ucs2 = SmsText::parse(&repeat('ж', 670)).unwrap();
        assert_eq!(
            (longest_ucs2.encoding(), longest_ucs2.parts()),
            (SmsEncoding::Ucs2, 10)
        );

        let error = SmsText::parse(&repeat('a', 1531)).unwrap_err();
        assert_eq!(
            error.0,
            "the SMS text is too long: it needs 11 parts (1531 septets in GSM-7), and at most 10 are \
             sent (1530 characters of the GSM alphabet, or 670 UCS-2 units otherwise)"
        );
        let error = SmsText::parse(&repeat('ж', 671)).unwrap_err();
        assert!(error.0.contains("11 parts (671 UCS-2 units in UCS-2)"), "{error}");
        // 10 parts of 76 extension characters is 760; the 761st opens an eleventh part.
        assert!(SmsText::parse(&repeat('€', 760)).is_ok());
        assert!(SmsText::parse(&repeat('€', 761)).is_err());
    }

    #[test]
    fn a_parsed_text_keeps_its_text_and_size() {
        let text = SmsText::parse(" ").unwrap();
        assert_eq!(text.as_str(), " ");
        let text = SmsText::parse("Réunion à 14h [salle B] 😀").unwrap();
        assert_eq!(text.to_string(), "Réunion à 14h [salle B] 😀");
        assert_eq!(text.encoding(), SmsEncoding::Ucs2);
        assert_eq!(text.size(), SmsSize::of("Réunion à 14h [salle B] 😀"));
        assert_eq!(text.parts(), 1);
        assert_eq!(String::from(text), "Réunion à 14h [salle B] 😀");
    }

    #[test]
    fn serde_goes_through_parse() {
        let text: SmsText = serde_json::from_str("\"Hi {there}\"").unwrap();
        assert_eq!((text.size().units(), text.parts()), (12, 1));
        assert_eq!(serde_json::to_string(&text).unwrap(), "\"Hi {there}\"");
        assert!(serde_json::from_str::<SmsText>("\"\"").is_err());
    }
}
