//! The `to` parameter of Janua's `/sendsms` and `/sendmail`: comma-separated numbers, group
//! names, e-mail addresses and the `all` token (janua.md §3 W6), parsed without a regex crate.
//!
//! Items are split on `,` and **not trimmed**: each whole item is classified by the first
//! matching rule, and an item no rule matches (empty, with a space, with an accent) is
//! silently ignored, as in the original.

/// What one item of `to` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecipientToken<'a> {
    /// `^\+?[0-9]+$`: a phone number, as typed (not normalised to E.164).
    Number(&'a str),
    /// Lower-case `all`: every contact of the caller (janua.md §6.3).
    All,
    /// `^[a-zA-Z0-9-]+$` other than `all`: one of the caller's groups. A name made only of
    /// digits is a number by the first rule, so such a group can never be addressed.
    Group(&'a str),
    /// `^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$`: an address (sendmail only).
    Email(&'a str),
}

impl<'a> RecipientToken<'a> {
    /// The token `all` means "every contact of mine"; only this exact spelling (`All` is an
    /// ordinary group name).
    pub const ALL: &'static str = "all";

    /// Classifies one whole item by the first rule it matches, or `None` when it is ignored.
    pub fn classify(item: &'a str) -> Option<Self> {
        if is_recipient_number(item) {
            Some(Self::Number(item))
        } else if item == Self::ALL {
            Some(Self::All)
        } else if is_group_name(item) {
            Some(Self::Group(item))
        } else if is_recipient_email(item) {
            Some(Self::Email(item))
        } else {
            None
        }
    }
}

/// `^\+?[0-9]+$`: an optional `+` then at least one ASCII digit. Also the check §10.14 asks
/// for on contacts' and admins' phone numbers, so they stay addressable.
pub fn is_recipient_number(item: &str) -> bool {
    let digits = item.strip_prefix('+').unwrap_or(item);
    !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
}

/// `^[a-zA-Z0-9-]+$`: at least one ASCII letter, digit or `-`. Also the rule Janua puts on
/// GROUPS names.
pub fn is_group_name(item: &str) -> bool {
    !item.is_empty()
        && item
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
}

/// `^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$`.
///
/// The local part cannot hold `@`, so the address splits at its only `@`. In the domain the
/// first group cannot hold `.`, so the `\.` is the domain's first dot: at least one letter,
/// digit or `-` before it, at least one letter, digit, `-` or `.` after it (`a@b..c` passes,
/// as it did in Janua; `a@b.` and `a@.b` do not).
pub fn is_recipient_email(item: &str) -> bool {
    let Some((local, domain)) = item.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'+' | b'-'));
    let Some((first_label, rest)) = domain.split_once('.') else {
        return false;
    };
    let first_label_ok = !first_label.is_empty()
        && first_label
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
    let rest_ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.'));
    local_ok && first_label_ok && rest_ok
}

/// The recipients a `to` string names, each kind in the order first written, duplicates
/// collapsed (exact, case-sensitive comparison: Janua's names and numbers are).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    /// Phone numbers as typed (`+33123456789`, `0612345678`).
    numbers: Vec<String>,
    /// Group names, without `all`: each must be one of the caller's groups.
    groups: Vec<String>,
    /// E-mail addresses; only `/sendmail` uses them, `/sendsms` ignores them.
    emails: Vec<String>,
    /// `all` was given: every contact of the caller, and every other item is then ignored by
    /// the resolution (janua.md §3 W6 step 4; the group check of step 3 still runs first).
    all: bool,
}

impl Recipients {
    /// Parses Janua's `to`: split on `,`, never trimmed, unmatched items dropped. Nothing is
    /// refused here; an empty result is the caller's "no recipients" case.
    pub fn parse(to: &str) -> Self {
        let mut recipients = Self::default();
        for item in to.split(',') {
            match RecipientToken::classify(item) {
                Some(RecipientToken::Number(number)) => push_new(&mut recipients.numbers, number),
                Some(RecipientToken::All) => recipients.all = true,
                Some(RecipientToken::Group(group)) => push_new(&mut recipients.groups, group),
                Some(RecipientToken::Email(email)) => push_new(&mut recipients.emails, email),
                None => {}
            }
        }
        recipients
    }

    /// Phone numbers, in order, without duplicates.
    pub fn numbers(&self) -> &[String] {
        &self.numbers
    }

    /// Group names other than `all`, in order, without duplicates.
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// E-mail addresses, in order, without duplicates.
    pub fn emails(&self) -> &[String] {
        &self.emails
    }

    /// Whether `all` was given.
    pub fn includes_all(&self) -> bool {
        self.all
    }

    /// No item was recognised at all.
    pub fn is_empty(&self) -> bool {
        !self.all && self.numbers.is_empty() && self.groups.is_empty() && self.emails.is_empty()
    }
}

/// Appends `item` unless it is already there. `to` is short, so a linear scan keeps the
/// order without a second collection.
fn push_new(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|known| known == item) {
        list.push(item.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| (*item).to_owned()).collect()
    }

    #[test]
    fn a_number_and_a_group() {
        let recipients = Recipients::parse("+33123456789,MESO");
        assert_eq!(recipients.numbers(), strings(&["+33123456789"]));
        assert_eq!(recipients.groups(), strings(&["MESO"]));
        assert!(recipients.emails().is_empty());
        assert!(!recipients.includes_all());
    }

    #[test]
    fn items_are_not_trimmed() {
        // The second item starts with a space, so it matches nothing and is ignored.
        let recipients = Recipients::parse(", +33612345678");
        assert!(recipients.is_empty());
        let recipients = Recipients::parse("+33612345678, MESO,MESO ,ops");
        assert_eq!(recipients.numbers(), strings(&["+33612345678"]));
        assert_eq!(recipients.groups(), strings(&["ops"]));
    }

    #[test]
    fn empty_spaced_and_accented_items_are_ignored() {
        for to in [
            "", ",", ",,,", " ", "équipe", "a b", "+", "++33", "+33 6", "3+3", "a_b", "all ",
        ] {
            assert!(Recipients::parse(to).is_empty(), "{to:?}");
        }
    }

    #[test]
    fn an_all_digit_name_is_a_number_so_such_a_group_is_unreachable() {
        let recipients = Recipients::parse("2024");
        assert_eq!(recipients.numbers(), strings(&["2024"]));
        assert!(recipients.groups().is_empty());
    }

    #[test]
    fn only_lower_case_all_is_special() {
        let recipients = Recipients::parse("All,ALL,all");
        assert!(recipients.includes_all());
        assert_eq!(recipients.groups(), strings(&["All", "ALL"]));
        assert_eq!(RecipientToken::classify("all"), Some(RecipientToken::All));
        assert_eq!(
            RecipientToken::classify("All"),
            Some(RecipientToken::Group("All"))
        );
        assert!(!Recipients::parse("all").is_empty());
    }

    #[test]
    fn all_keeps_the_other_items_for_the_group_check() {
        let recipients = Recipients::parse("all,MESO,+33612345678");
        assert!(recipients.includes_all());
        assert_eq!(recipients.groups(), strings(&["MESO"]));
        assert_eq!(recipients.numbers(), strings(&["+33612345678"]));
    }

    #[test]
    fn e_mail_addresses() {
        let recipients =
            Recipients::parse("alice@example.org,bob.smith+sms@mail-1.example.co.uk,alice@example.org");
        assert_eq!(
            recipients.emails(),
            strings(&["alice@example.org", "bob.smith+sms@mail-1.example.co.uk"])
        );
        for accepted in [
            "a@b.c",
            "a_b@b.c",
            "-@b.c",
            "a@b..c",
            "a@b.c.",
            "a@b.-",
            "A.B@C-D.E",
        ] {
            assert!(is_recipient_email(accepted), "{accepted:?}");
        }
        for refused in [
            "a@b", "a@b.", "a@.b", "@b.c", "a@@b.c", "a@b@c.d", "a b@c.d", "a@b_c.d", "a@b.c_d", "é@b.c",
            "a@b.c ", "a@", "a",
        ] {
            assert!(!is_recipient_email(refused), "{refused:?}");
        }
    }

    #[test]
    fn the_first_matching_rule_wins() {
        assert_eq!(
            RecipientToken::classify("+33"),
            Some(RecipientToken::Number("+33"))
        );
        assert_eq!(
            RecipientToken::classify("0033"),
            Some(RecipientToken::Number("0033"))
        );
        assert_eq!(
            RecipientToken::classify("-33"),
            Some(RecipientToken::Group("-33"))
        );
        assert_eq!(
            RecipientToken::classify("33-1"),
            Some(RecipientToken::Group("33-1"))
        );
        assert_eq!(
            RecipientToken::classify("a@b.c"),
            Some(RecipientToken::Email("a@b.c"))
        );
        assert_eq!(RecipientToken::classify("+a"), None);
        assert_eq!(RecipientToken::classify(""), None);
    }

    #[test]
    fn duplicates_collapse_and_order_is_kept_per_kind() {
        let recipients = Recipients::parse("B,+2,A,+1,B,+2,a@b.c,A,a@b.c,all,all");
        assert_eq!(recipients.groups(), strings(&["B", "A"]));
        assert_eq!(recipients.numbers(), strings(&["+2", "+1"]));
        assert_eq!(recipients.emails(), strings(&["a@b.c"]));
        assert!(recipients.includes_all());
        // Exact comparison: another spelling of the same number is another item.
        assert_eq!(Recipients::parse("+33612345678,0612345678").numbers().len(), 2);
    }

    #[test]
    fn the_predicates_match_their_patterns() {
        assert!(is_recipient_number("0"));
        assert!(is_recipient_number("+0"));
        assert!(!is_recipient_number(""));
        assert!(!is_recipient_number("+"));
        assert!(!is_recipient_number("١٢٣")); // non-ASCII digits
        assert!(is_group_name("-"));
        assert!(is_group_name("Team-42"));
        assert!(!is_group_name(""));
        assert!(!is_group_name("team_42"));
        assert!(!is_group_name("Équipe"));
    }
}
