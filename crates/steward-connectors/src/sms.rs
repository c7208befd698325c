//! One SMS as the SMS connectors take it, and the two facts about it both gateways need:
//! the recipient as digits and whether the text fits the GSM 7-bit alphabet.
//!
//! It lives here rather than in `steward-model` because it is the connectors' input, not a
//! rule: the core decides who gets what, the worker turns an outbox row into this.

use steward_model::sms::{SmsEncoding, SmsSize};

use crate::DeliveryError;

/// One SMS to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    /// The recipient in E.164, `+33612345678`. A bare `33612345678` is accepted too; anything
    /// else (spaces, letters) is refused, because Kannel reads a space as "one more recipient".
    pub to: String,
    /// The text as the sender wrote it; the gateway splits it into parts.
    pub text: String,
    /// What the gateway's delivery reports must quote to be taken, when reports are wanted.
    pub report_reference: Option<String>,
}

impl OutgoingSms {
    /// The recipient as international digits, without the `+`: what smstools wants, and the
    /// check both connectors make before handing the number to a gateway.
    pub fn international_digits(&self) -> Result<&str, DeliveryError> {
        let digits = self.to.strip_prefix('+').unwrap_or(&self.to);
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(DeliveryError::Permanent(format!("`{}` is not an international phone number", self.to)));
        }
        Ok(digits)
    }

    /// Whether every character is in the GSM 03.38 alphabet (basic table or its extension),
    /// so the text can go as 7-bit; otherwise it must go as UCS-2 or lose characters.
    pub fn fits_gsm7(&self) -> bool {
        // The one GSM 03.38 table of Steward lives with the rule that counts SMS parts.
        SmsSize::of(&self.text).encoding() == SmsEncoding::Gsm7
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sms(to: &str, text: &str) -> OutgoingSms {
        OutgoingSms { to: to.into(), text: text.into(), report_reference: None }
    }

    #[test]
    fn numbers_lose_their_plus_and_must_be_digits() {
        assert_eq!(sms("+33612345678", "").international_digits().unwrap(), "33612345678");
        assert_eq!(sms("33612345678", "").international_digits().unwrap(), "33612345678");
        for bad in ["", "+", "+33 612", "336+12", "abc", "+33612345678\n"] {
            assert!(matches!(sms(bad, "").international_digits(), Err(DeliveryError::Permanent(_))), "{bad:?}");
        }
    }

    #[test]
    fn gsm7_covers_both_tables_and_nothing_else() {
        assert!(sms("+1", "Hello é à Ä ß {€} [x] ~^|\\ @£$¥ Ω\n").fits_gsm7());
        assert!(sms("+1", "").fits_gsm7());
        for outside in ["привет", "ç", "€ ✓", "😀", "â", "`"] {
            assert!(!sms("+1", outside).fits_gsm7(), "{outside}");
        }
    }
}
