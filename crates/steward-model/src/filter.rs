//! User filters as data: the dialect-neutral search every face's query language parses into,
//! and the store turns into bound SQL against an allow-list of columns (never into SQL text).
//!
//! Names in the tree are the *wire* names a face's clients use (`firstname`, `groups`), not
//! column names: the store's allow-list maps them, and a name it does not list (a password
//! hash, a token) is an unknown field. A test on a related model's field (Flask-Restless'
//! `groups__name`) is always spelled as a relation test around a plain predicate,
//! `Any { relation: "groups", filter: Compare { field: "name", .. } }`, so the name inside
//! a relation test is resolved against the related model's allow-list.
//!
//! Limits (depth, number of predicates, `IN` list length, ordering keys) are checked once,
//! when a [`Search`] is built: a [`Search`] that exists is within them.

use std::fmt;

/// A literal a filter compares against, as the client sent it; the store coerces it to the
/// column's type (and refuses it when it does not fit).
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    /// JSON `null`. Kept so a dialect can carry it to a clear refusal: comparing with null
    /// never matches in SQL, so the store asks for an is-null test instead.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Integer(i64),
    /// A number with a fraction (or too large for `i64`).
    Float(f64),
    /// A string: text, or a date/time the store parses for date/time columns.
    Text(String),
}

impl FilterValue {
    /// What kind of literal this is, for error messages ("a string", "null", …).
    pub fn describe(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Integer(_) => "an integer",
            Self::Float(_) => "a decimal number",
            Self::Text(_) => "a string",
        }
    }
}

/// A comparison between a field and a value or another field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Strictly greater.
    Gt,
    /// Strictly less.
    Lt,
    /// Greater or equal.
    Ge,
    /// Less or equal.
    Le,
}

impl CompareOp {
    /// The operator as a symbol (`=`, `!=`, `>`, …), for messages.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Gt => ">",
            Self::Lt => "<",
            Self::Ge => ">=",
            Self::Le => "<=",
        }
    }
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// One user filter: a tree of predicates on wire field names.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `field <op> value`.
    Compare {
        /// The wire name of the field.
        field: String,
        /// How the field relates to the value.
        op: CompareOp,
        /// The literal compared with.
        value: FilterValue,
    },
    /// `field <op> other`: two fields of the same row.
    CompareFields {
        /// The wire name of the left field.
        field: String,
        /// How the fields relate.
        op: CompareOp,
        /// The wire name of the right field.
        other: String,
    },
    /// SQL `LIKE`: `%` matches any run of characters, `_` exactly one, `\` makes the next
    /// character literal. Case-sensitive unless `case_insensitive`, on every backend.
    Like {
        /// The wire name of a text field.
        field: String,
        /// The pattern, passed through with its wildcards.
        pattern: String,
        /// `ilike` rather than `like`.
        case_insensitive: bool,
    },
    /// Membership in a list of values (`NOT IN` when negated).
    In {
        /// The wire name of the field.
        field: String,
        /// The values; at most [`Search::MAX_IN_VALUES`].
        values: Vec<FilterValue>,
        /// `not_in` rather than `in`.
        negated: bool,
    },
    /// A regular expression search in a text field (Django's `regex` / `iregex`): Rust's
    /// `regex` syntax, which has no backtracking, so no pattern can take exponential time.
    Regex {
        /// The wire name of a text field.
        field: String,
        /// The pattern; at most [`Search::MAX_REGEX_LEN`] characters.
        pattern: String,
        /// `iregex` rather than `regex`.
        case_insensitive: bool,
    },
    /// A part of a date/time field compared with a value (Django's transforms:
    /// `created_on__year >= 2017`, `created_on__date = "2017-08-30"`), in UTC.
    DatePart {
        /// The wire name of a date/time field.
        field: String,
        /// Which part.
        part: DatePart,
        /// How the part relates to the value.
        op: CompareOp,
        /// An integer, or for [`DatePart::Date`] a `YYYY-MM-DD` string.
        value: FilterValue,
    },
    /// `field IS NULL` (`IS NOT NULL` when negated).
    IsNull {
        /// The wire name of the field.
        field: String,
        /// `is_not_null` rather than `is_null`.
        negated: bool,
    },
    /// A to-one relation whose related row exists and matches `filter`.
    Has {
        /// The wire name of the relation.
        relation: String,
        /// A filter on the related model's fields.
        filter: Box<Filter>,
    },
    /// A to-many relation with at least one related row matching `filter`.
    Any {
        /// The wire name of the relation.
        relation: String,
        /// A filter on the related model's fields.
        filter: Box<Filter>,
    },
    /// Every filter matches; an empty list matches every row.
    And(Vec<Filter>),
    /// At least one filter matches; an empty list matches no row.
    Or(Vec<Filter>),
}

impl Filter {
    /// How deeply the tree nests: a predicate is 1, a junction or a relation test one more
    /// than its deepest child.
    pub fn depth(&self) -> usize {
        match self {
            Self::Compare { .. }
            | Self::CompareFields { .. }
            | Self::Like { .. }
            | Self::In { .. }
            | Self::Regex { .. }
            | Self::DatePart { .. }
            | Self::IsNull { .. } => 1,
            Self::Has { filter, .. } | Self::Any { filter, .. } => 1 + filter.depth(),
            Self::And(filters) | Self::Or(filters) => 1 + filters.iter().map(Self::depth).max().unwrap_or(0),
        }
    }

    /// How many predicates the tree holds: every node but `And` and `Or` counts one (a
    /// relation test is a subquery, so it counts besides its inner filter).
    pub fn predicate_count(&self) -> usize {
        match self {
            Self::Compare { .. }
            | Self::CompareFields { .. }
            | Self::Like { .. }
            | Self::In { .. }
            | Self::Regex { .. }
            | Self::DatePart { .. }
            | Self::IsNull { .. } => 1,
            Self::Has { filter, .. } | Self::Any { filter, .. } => 1 + filter.predicate_count(),
            Self::And(filters) | Self::Or(filters) => filters.iter().map(Self::predicate_count).sum(),
        }
    }

    /// The first `IN` list longer than `max`, as (field, length).
    fn oversized_in_list(&self, max: usize) -> Option<(&str, usize)> {
        match self {
            Self::In { field, values, .. } if values.len() > max => Some((field.as_str(), values.len())),
            Self::Compare { .. }
            | Self::CompareFields { .. }
            | Self::Like { .. }
            | Self::In { .. }
            | Self::Regex { .. }
            | Self::DatePart { .. }
            | Self::IsNull { .. } => None,
            Self::Has { filter, .. } | Self::Any { filter, .. } => filter.oversized_in_list(max),
            Self::And(filters) | Self::Or(filters) => filters.iter().find_map(|filter| filter.oversized_in_list(max)),
        }
    }
}

/// A part of a date/time (Django's date transforms), read in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    /// The date, compared with `YYYY-MM-DD`.
    Date,
    /// The year.
    Year,
    /// The month, 1–12.
    Month,
    /// The day of the month.
    Day,
    /// The ISO 8601 week number.
    Week,
    /// The day of the week, 1 (Sunday) to 7 (Saturday), as Django counts.
    WeekDay,
    /// The hour, 0–23.
    Hour,
    /// The minute.
    Minute,
    /// The second.
    Second,
}

impl DatePart {
    /// The part Django's transform `name` reads.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "date" => Self::Date,
            "year" => Self::Year,
            "month" => Self::Month,
            "day" => Self::Day,
            "week" => Self::Week,
            "week_day" => Self::WeekDay,
            "hour" => Self::Hour,
            "minute" => Self::Minute,
            "second" => Self::Second,
            _ => return None,
        })
    }
}

/// One ordering key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    /// A to-one relation whose field orders the rows (`admin__login`), or `None` for a field
    /// of the model itself.
    pub relation: Option<String>,
    /// The wire name of the field (of the relation's model when `relation` is set).
    pub field: String,
    /// Largest first rather than smallest first.
    pub descending: bool,
}

/// A whole search: filters (combined with AND), ordering, a window and whether exactly one
/// row is expected. Only [`Search::new`] builds one, so every `Search` is within the limits.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Search {
    /// The filters, all of which must match.
    filters: Vec<Filter>,
    /// Ordering keys, most significant first; the store appends the primary key.
    order_by: Vec<OrderBy>,
    /// At most this many rows, before any pagination.
    limit: Option<u64>,
    /// Skip this many rows first, before any pagination.
    offset: Option<u64>,
    /// The client expects exactly one row (Flask-Restless' `single`).
    single: bool,
}

impl Search {
    /// Deepest nesting of one filter (see [`Filter::depth`]).
    pub const MAX_DEPTH: usize = 8;
    /// Most predicates across all filters (see [`Filter::predicate_count`]).
    pub const MAX_PREDICATES: usize = 64;
    /// Longest `IN` / `NOT IN` list.
    pub const MAX_IN_VALUES: usize = 1_000;
    /// Most ordering keys: each is a sort term, and a to-one key a subquery per row.
    pub const MAX_ORDER_KEYS: usize = 8;
    /// Longest regular expression.
    pub const MAX_REGEX_LEN: usize = 256;

    /// Builds a search, refusing one past the limits with a message naming what is too big.
    pub fn new(
        filters: Vec<Filter>,
        order_by: Vec<OrderBy>,
        limit: Option<u64>,
        offset: Option<u64>,
        single: bool,
    ) -> Result<Self, FilterError> {
        let depth = filters.iter().map(Filter::depth).max().unwrap_or(0);
        if depth > Self::MAX_DEPTH {
            return Err(FilterError::TooDeep { depth, max: Self::MAX_DEPTH });
        }
        let count: usize = filters.iter().map(Filter::predicate_count).sum();
        if count > Self::MAX_PREDICATES {
            return Err(FilterError::TooManyPredicates { count, max: Self::MAX_PREDICATES });
        }
        if let Some((field, count)) = filters.iter().find_map(|filter| filter.oversized_in_list(Self::MAX_IN_VALUES)) {
            return Err(FilterError::TooManyValues { field: field.to_owned(), count, max: Self::MAX_IN_VALUES });
        }
        if order_by.len() > Self::MAX_ORDER_KEYS {
            return Err(FilterError::TooManyOrderKeys { count: order_by.len(), max: Self::MAX_ORDER_KEYS });
        }
        Ok(Self { filters, order_by, limit, offset, single })
    }

    /// The search for the one row whose `id` is `id` (a repository's "get by id" through the
    /// same allow-list and ownership rules as a client's search).
    pub fn by_id(id: i64) -> Result<Self, FilterError> {
        Self::new(
            vec![Filter::Compare { field: "id".to_owned(), op: CompareOp::Eq, value: FilterValue::Integer(id) }],
            Vec::new(),
            None,
            None,
            false,
        )
    }

    /// The filters, all of which must match.
    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }

    /// The ordering keys, most significant first.
    pub fn order_by(&self) -> &[OrderBy] {
        &self.order_by
    }

    /// At most this many rows (before pagination), if limited.
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// Rows to skip first (before pagination), if any.
    pub fn offset(&self) -> Option<u64> {
        self.offset
    }

    /// Whether the client expects exactly one row.
    pub fn single(&self) -> bool {
        self.single
    }
}

/// Why a filter was refused. Every message names the offending field, relation or operator
/// and is written for the person who wrote the filter; faces show it as a detail beside
/// their own fixed message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FilterError {
    /// The filters nest too deeply.
    #[error("the filters nest {depth} levels deep; at most {max} are allowed")]
    TooDeep {
        /// How deep they nest.
        depth: usize,
        /// The limit.
        max: usize,
    },
    /// The filters hold too many predicates.
    #[error("the filters hold {count} conditions; at most {max} are allowed")]
    TooManyPredicates {
        /// How many they hold.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// An `IN` list is too long.
    #[error("'{field}' is tested against {count} values; at most {max} are allowed")]
    TooManyValues {
        /// The field the list tests.
        field: String,
        /// The list's length.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Too many ordering keys.
    #[error("the search orders by {count} fields; at most {max} are allowed")]
    TooManyOrderKeys {
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A field or relation the model does not have, or one that may not be searched (hidden
    /// columns are simply not listed, so they land here too).
    #[error("unknown field '{0}'")]
    UnknownField(String),
    /// A value that does not fit the field's type.
    #[error("'{field}' expects {expected}, not {found}")]
    InvalidValue {
        /// The field compared with.
        field: String,
        /// What the field accepts ("an integer", "a date and time", …).
        expected: &'static str,
        /// What was given, described or quoted.
        found: String,
    },
    /// An operator that does not apply to the field (`like` on a number, ordering by a
    /// to-many relation, comparing a text field with a number field).
    #[error("'{operator}' cannot be used on '{field}': {reason}")]
    UnsupportedOperator {
        /// The field (or `relation__field`) it was used on.
        field: String,
        /// The operator, as the AST names it (`like`, `<`, `order by`, …).
        operator: String,
        /// Why not.
        reason: String,
    },
    /// A comparison with null, which SQL never satisfies.
    #[error("'{field}' cannot be compared with null: test it with is_null or is_not_null")]
    NullComparison {
        /// The field compared.
        field: String,
    },
    /// `has` on a to-many relation, or `any` on a to-one relation.
    #[error("'{relation}' is a {kind} relation: test it with '{expected}'")]
    WrongRelationKind {
        /// The relation.
        relation: String,
        /// "to-one" or "to-many".
        kind: &'static str,
        /// The test that fits it, `has` or `any`.
        expected: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_is(value: &str) -> Filter {
        Filter::Compare { field: "name".into(), op: CompareOp::Eq, value: FilterValue::Text(value.into()) }
    }

    fn nested(depth: usize) -> Filter {
        (1..depth).fold(name_is("x"), |inner, _| Filter::And(vec![inner]))
    }

    #[test]
    fn depth_and_count_follow_the_tree() {
        let filter = Filter::Or(vec![
            name_is("a"),
            Filter::Any { relation: "groups".into(), filter: Box::new(Filter::And(vec![name_is("b"), name_is("c")])) },
        ]);
        assert_eq!(filter.depth(), 4);
        assert_eq!(filter.predicate_count(), 4);
        assert_eq!(Filter::And(vec![]).depth(), 1);
        assert_eq!(Filter::Or(vec![]).predicate_count(), 0);
    }

    #[test]
    fn depth_eight_is_accepted_and_nine_refused() {
        assert!(Search::new(vec![nested(8)], vec![], None, None, false).is_ok());
        let error = Search::new(vec![nested(9)], vec![], None, None, false).unwrap_err();
        assert_eq!(error, FilterError::TooDeep { depth: 9, max: 8 });
        assert!(error.to_string().contains("9 levels"));
    }

    #[test]
    fn sixty_four_predicates_are_accepted_and_sixty_five_refused() {
        let filters: Vec<Filter> = (0..64).map(|n| name_is(&n.to_string())).collect();
        assert!(Search::new(filters.clone(), vec![], None, None, false).is_ok());
        let mut more = filters;
        more.push(Filter::Or(vec![name_is("last")]));
        let error = Search::new(more, vec![], None, None, false).unwrap_err();
        assert_eq!(error, FilterError::TooManyPredicates { count: 65, max: 64 });
    }

    #[test]
    fn in_lists_are_limited_wherever_they_nest() {
        let list = |count: i64| Filter::In {
            field: "id".into(),
            values: (0..count).map(FilterValue::Integer).collect(),
            negated: false,
        };
        assert!(Search::new(vec![list(1_000)], vec![], None, None, false).is_ok());
        let buried = Filter::Has { relation: "admin".into(), filter: Box::new(Filter::Or(vec![list(1_001)])) };
        let error = Search::new(vec![buried], vec![], None, None, false).unwrap_err();
        assert_eq!(error, FilterError::TooManyValues { field: "id".into(), count: 1_001, max: 1_000 });
        assert!(error.to_string().contains("'id'"));
    }

    #[test]
    fn ordering_keys_are_limited() {
        let key = OrderBy { relation: None, field: "id".into(), descending: false };
        assert!(Search::new(vec![], vec![key.clone(); 8], None, None, false).is_ok());
        let error = Search::new(vec![], vec![key; 9], None, None, false).unwrap_err();
        assert_eq!(error, FilterError::TooManyOrderKeys { count: 9, max: 8 });
    }

    #[test]
    fn a_search_keeps_what_it_was_given() {
        let key = OrderBy { relation: Some("admin".into()), field: "login".into(), descending: true };
        let search = Search::new(vec![name_is("a")], vec![key.clone()], Some(5), Some(2), true).unwrap();
        assert_eq!(search.filters(), &[name_is("a")]);
        assert_eq!(search.order_by(), &[key]);
        assert_eq!((search.limit(), search.offset(), search.single()), (Some(5), Some(2), true));
        assert_eq!(Search::default().filters(), &[]);
    }

    #[test]
    fn messages_name_the_culprit() {
        assert_eq!(FilterError::UnknownField("password".into()).to_string(), "unknown field 'password'");
        let wrong = FilterError::WrongRelationKind { relation: "groups".into(), kind: "to-many", expected: "any" };
        assert_eq!(wrong.to_string(), "'groups' is a to-many relation: test it with 'any'");
        assert_eq!(CompareOp::Ge.to_string(), ">=");
        assert_eq!(FilterValue::Float(1.5).describe(), "a decimal number");
    }
}
