//! What a client sent for one field, and the problems the rules find in a whole body: every
//! failing field is reported at once, as Rails' validations do (dRofus; Adjutant next).

/// One field of a client's body, as its face read it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Sent<T> {
    /// Not in the body: a create leaves it unset, an update leaves it unchanged.
    #[default]
    Absent,
    /// Given as null (or an empty form value): cleared.
    Null,
    /// Given.
    Value(T),
    /// Given, but not of the field's type (a word where a number goes).
    Unreadable,
}

impl<T> Sent<T> {
    /// The value, when one was given.
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Value(value) => Some(value),
            _ => None,
        }
    }

    /// What an update makes of `current`: absent keeps it, null clears it (unreadable
    /// values never get here: they are problems first).
    pub fn applied(self, current: Option<T>) -> Option<T> {
        match self {
            Self::Absent | Self::Unreadable => current,
            Self::Null => None,
            Self::Value(value) => Some(value),
        }
    }
}

impl Sent<String> {
    /// The text, when one was given and is not blank.
    pub fn text(&self) -> Option<&str> {
        self.value().map(String::as_str).filter(|text| !text.trim().is_empty())
    }
}

/// What is wrong with one field, in Rails' terms (the face words them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Missing or blank.
    Blank,
    /// Another row has it.
    Taken,
    /// Not a number.
    NotANumber,
    /// Not one of the allowed values.
    NotIncluded,
    /// Malformed, or names something unusable.
    Invalid,
    /// Names a row that does not exist.
    MustExist,
    /// Longer than this many characters.
    TooLong(usize),
    /// Differs from the row already registered.
    Mismatch,
}

/// A field and its problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field, by its domain name (`name`, `owner`, `new_db_template`, …).
    pub field: &'static str,
    /// What is wrong.
    pub problem: Problem,
}

/// Every problem a body has, in the order the rules found them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invalid(pub Vec<FieldProblem>);

impl Invalid {
    /// Just `field` with `problem`.
    pub fn of(field: &'static str, problem: Problem) -> Self {
        Self(vec![FieldProblem { field, problem }])
    }

    /// Notes that `field` has `problem`.
    pub fn add(&mut self, field: &'static str, problem: Problem) {
        self.0.push(FieldProblem { field, problem });
    }

    /// `Ok` when nothing was found.
    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    /// A required text: present, not blank, at most `max` characters.
    pub fn require_text(&mut self, field: &'static str, sent: &Sent<String>, max: usize) {
        match sent.text() {
            None => self.add(field, Problem::Blank),
            Some(text) if text.chars().count() > max => self.add(field, Problem::TooLong(max)),
            Some(_) => {}
        }
    }

    /// An optional text: when given, at most `max` characters.
    pub fn limit_text(&mut self, field: &'static str, sent: &Sent<String>, max: usize) {
        if sent.value().is_some_and(|text| text.chars().count() > max) {
            self.add(field, Problem::TooLong(max));
        }
    }

    /// A number: when given, one.
    pub fn readable_number<T>(&mut self, field: &'static str, sent: &Sent<T>) {
        if matches!(sent, Sent::Unreadable) {
            self.add(field, Problem::NotANumber);
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: Vec<&str> = self.0.iter().map(|problem| problem.field).collect();
        write!(f, "invalid: {}", fields.join(", "))
    }
}

impl std::error::Error for Invalid {}

/// Longest name or short text kept (Rails' `string` columns).
pub const MAX_TEXT: usize = 255;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_required_and_bounded() {
        let mut invalid = Invalid::default();
        invalid.require_text("name", &Sent::Value("  ".to_owned()), 5);
        invalid.require_text("constructor", &Sent::Absent, 5);
        invalid.require_text("description", &Sent::Value("abcdef".to_owned()), 5);
        invalid.require_text("ok", &Sent::Value("abc".to_owned()), 5);
        invalid.limit_text("note", &Sent::Value("abcdef".to_owned()), 5);
        invalid.readable_number::<i64>("owner_id", &Sent::Unreadable);
        let found: Vec<_> = invalid.0.iter().map(|problem| (problem.field, problem.problem)).collect();
        assert_eq!(
            found,
            [
                ("name", Problem::Blank),
                ("constructor", Problem::Blank),
                ("description", Problem::TooLong(5)),
                ("note", Problem::TooLong(5)),
                ("owner_id", Problem::NotANumber),
            ]
        );
    }

    #[test]
    fn updates_keep_what_is_absent_and_clear_what_is_null() {
        assert_eq!(Sent::Absent.applied(Some(1)), Some(1));
        assert_eq!(Sent::Null.applied(Some(1)), None);
        assert_eq!(Sent::Value(2).applied(Some(1)), Some(2));
    }
}
