//! User filters → SQL: a [`Filter`] resolved against an allow-list of fields ([`Fields`])
//! and turned into a sea_query [`Condition`] whose every value is bound, never written into
//! the SQL text. A field the allow-list does not name (a password hash, a token) is an
//! unknown field, so hidden columns cannot be filtered or ordered on. Allow-lists name their
//! tables and columns by the store's SeaORM entities ([`Table`], [`Column`]), never by
//! strings, so a renamed column cannot leave a filter pointing at nothing.
//!
//! Choices that make a filter mean the same on SQLite and PostgreSQL:
//! - `like` is case-sensitive and `ilike` case-insensitive on both. `ilike` is
//!   `LOWER(col) LIKE LOWER(?) ESCAPE '\'`. `like` is `col LIKE ? ESCAPE '\'` on PostgreSQL,
//!   whose `LIKE` already respects case; SQLite's `LIKE` ignores ASCII case, so there `like`
//!   is `col GLOB ?`, with the pattern translated (`%` → `*`, `_` → `?`, a literal `*`, `?` or
//!   `[` → `[*]`, `[?]`, `[[]`): GLOB is SQLite's case-sensitive matcher, it compares
//!   characters as `LIKE` does (`?` is one character, not one byte), and it is one bound
//!   value, where `PRAGMA case_sensitive_like` would change every connection of the pool.
//!   This is the store's only backend branch besides the outbox claim.
//! - In every pattern `%` and `_` are the client's wildcards (Flask-Restless passed patterns
//!   through) and `\` makes the next character literal (PostgreSQL's default escape, made
//!   explicit for SQLite); a pattern ending in a lone `\` is refused.
//! - One difference remains: SQLite's `LOWER` folds ASCII letters only, so `ilike` matches
//!   `É` with `é` on PostgreSQL but not on SQLite.
//! - Date/time values are normalised as the store writes timestamps (UTC, whole seconds),
//!   so SQLite's text comparison is chronological; see [`ColumnKind::DateTime`].
//! - `ORDER BY` puts nulls first ascending and last descending on both (SQLite's order;
//!   PostgreSQL's is the reverse), and ends with the primary key, so pages are stable.
//!   Text still sorts by each database's collation.

use sea_orm::sea_query::extension::sqlite::SqliteExpr;
use sea_orm::sea_query::{
    Alias, BinOper, Condition, Expr, ExprTrait, Func, JoinType, LikeExpr, NullOrdering, Order, Query, SelectStatement,
    SubQueryStatement, Value,
};
use steward_model::filter::{CompareOp, DatePart, Filter, FilterError, FilterValue, OrderBy, Search};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use steward_model::quota_window::TimeZone;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use sea_orm::{ColumnTrait, EntityName};

use crate::{Backend, stored_time};

/// The largest page the store hands out in one query; faces clamp their page size to it
/// before computing page counts.
pub const MAX_PAGE_SIZE: u64 = 1_000;

/// The SQL type of a searchable column, which decides how a client's value is coerced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// An integer column. Accepts integers, integral decimals (`5.0`) and strings holding an
    /// integer (`"5"`, as SQLite's type affinity did for the original Janua).
    Integer,
    /// A text column. Accepts strings, and integers as their decimal text (again SQLite's
    /// affinity: `phone_number == 33612345678` matched `"33612345678"`). The only kind
    /// `like`/`ilike` apply to.
    Text,
    /// A boolean column. Accepts `true`/`false`, and 0/1 as SQLite stores booleans.
    Bool,
    /// A timestamp column (stored in UTC to the second). Accepts strings in RFC 3339
    /// (`2024-05-01T10:00:00+02:00`, `…Z`, fractions allowed) or one of the naive forms
    /// `YYYY-MM-DDTHH:MM[:SS[.fff]]`, `YYYY-MM-DD HH:MM[:SS[.fff]]` and `YYYY-MM-DD` (midnight),
    /// which are read in the store's local zone (`timezone`; Janua showed and took its
    /// times naive, in the server's zone). Values are bound as `time::OffsetDateTime`, converted to UTC
    /// and cut to the second like stored values, so a fraction only matters within its second.
    DateTime,
}

impl ColumnKind {
    /// What the kind accepts, for messages.
    fn expected(self) -> &'static str {
        match self {
            Self::Integer => "an integer",
            Self::Text => "a string",
            Self::Bool => "true or false",
            Self::DateTime => "a date and time such as 2024-05-01T10:00:00Z or 2024-05-01",
        }
    }

    /// The kind's name, for messages.
    fn name(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Text => "text",
            Self::Bool => "boolean",
            Self::DateTime => "date/time",
        }
    }
}

/// A table, named by its SeaORM entity (`&janua_contact::Entity`). Entity names are not
/// `const`, so the allow-list statics hold the entity itself and ask it for its name when a
/// query is built.
pub trait Table: Sync {
    /// The table's name in SQL.
    fn name(&self) -> &'static str;
}

impl<E: EntityName + Sync> Table for E {
    fn name(&self) -> &'static str {
        self.table_name()
    }
}

impl std::fmt::Debug for dyn Table {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

/// A table serializes as its name (an audit entry names the list it changed).
impl serde::Serialize for dyn Table {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A column, named by its SeaORM entity's column (`&janua_contact::Column::Firstname`),
/// which also knows its table.
pub trait Column: Sync {
    /// The name of the column's table.
    fn table(&self) -> &'static str;
    /// The column's name in SQL.
    fn name(&self) -> &'static str;
}

impl<C: ColumnTrait + Sync> Column for C {
    fn table(&self) -> &'static str {
        C::EntityName::default().table_name()
    }

    fn name(&self) -> &'static str {
        self.as_str()
    }
}

impl std::fmt::Debug for dyn Column {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}.{}", self.table(), self.name())
    }
}

impl dyn Column + '_ {
    /// The column qualified by its table: `"table"."column"`.
    pub(crate) fn qualified(&self) -> Expr {
        Expr::col((self.table(), self.name()))
    }

    /// Whether `self` and `other` are the same column of the same table.
    pub(crate) fn is(&self, other: &dyn Column) -> bool {
        (self.table(), self.name()) == (other.table(), other.name())
    }
}

/// One field a client may filter and order on.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// The wire name clients use (`firstname`).
    pub name: &'static str,
    /// The column behind it. At the top of a query its table may be one the repository joins
    /// in; a relation's target must keep its fields on its own table, because its subquery
    /// reads only that table.
    pub column: &'static dyn Column,
    /// The column's type.
    pub kind: ColumnKind,
}

/// How many related rows a relation has, which decides the test that applies to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    /// At most one related row: tested with [`Filter::Has`]; may order rows.
    ToOne,
    /// Any number of related rows: tested with [`Filter::Any`].
    ToMany,
}

/// How a row of the source table finds its related rows.
#[derive(Debug, Clone, Copy)]
pub enum Join {
    /// `target.remote = source.local`: a foreign key on either side (the source's
    /// `admin_id` pointing at the target's `id`, or the target's `admin_id` at the source's `id`).
    Columns {
        /// The source table's column.
        local: &'static dyn Column,
        /// The target table's column.
        remote: &'static dyn Column,
    },
    /// Through a link table (the table of `local_key` and `remote_key`):
    /// `link.local_key = source.local` and `link.remote_key = target.remote`.
    Link {
        /// The link table's column pointing at the source row.
        local_key: &'static dyn Column,
        /// The link table's column pointing at the target row.
        remote_key: &'static dyn Column,
        /// The source table's column the link points at (usually its primary key).
        local: &'static dyn Column,
        /// The target table's column the link points at (usually its primary key).
        remote: &'static dyn Column,
    },
}

/// One relation a client may test with `has`/`any` or order through.
#[derive(Debug, Clone, Copy)]
pub struct RelationSpec {
    /// The wire name clients use (`groups`).
    pub name: &'static str,
    /// To-one or to-many.
    pub kind: RelationKind,
    /// The related model's allow-list (statics may refer to each other, so cycles are fine).
    pub target: &'static Fields,
    /// How source rows find their related rows.
    pub join: Join,
}

/// How a model's rows belong to an account: the condition a search within one owner's rows
/// is ANDed with.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    /// The row's own column holds the owner's account id (`admin_id`).
    Column(&'static dyn Column),
    /// The row belongs to whoever owns the row its `column` points at:
    /// `column IN (SELECT key FROM parent WHERE parent.owner = ?)`.
    Parent {
        /// The row's column pointing at its parent (`group_id`).
        column: &'static dyn Column,
        /// The parent's column it points at (`janua_groups.id`).
        key: &'static dyn Column,
        /// The parent's column holding the owner's account id (`janua_groups.admin_id`).
        owner: &'static dyn Column,
    },
}

impl Owner {
    /// The condition that a row belongs to the account `owner`.
    pub fn condition(self, owner: i64) -> Expr {
        match self {
            Self::Column(column) => column.qualified().eq(owner),
            Self::Parent { column, key, owner: parent_owner } => {
                let owned = Query::select()
                    .column(key.name())
                    .from(key.table())
                    .and_where(Expr::col(parent_owner.name()).eq(owner))
                    .take();
                column.qualified().in_subquery(owned)
            }
        }
    }
}

/// The allow-list of one model: what a client may filter and order on. Anything not listed
/// is an unknown field.
#[derive(Debug)]
pub struct Fields {
    /// The model's table, which the query selects from.
    pub table: &'static dyn Table,
    /// Its primary-key column, the default and final ordering key.
    pub primary_key: &'static dyn Column,
    /// How its rows belong to an account, for searches within one owner's rows.
    pub owner: Owner,
    /// The searchable fields.
    pub fields: &'static [FieldSpec],
    /// The searchable relations.
    pub relations: &'static [RelationSpec],
}

impl Fields {
    /// The field with wire name `name`, if listed.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// The relation with wire name `name`, if listed.
    pub fn relation(&self, name: &str) -> Option<&RelationSpec> {
        self.relations.iter().find(|relation| relation.name == name)
    }
}

/// The condition all of `search`'s filters make together, against `fields`.
pub fn condition(search: &Search, fields: &Fields, backend: Backend, zone: &TimeZone) -> Result<Condition, FilterError> {
    let scope = Scope::top(fields, backend, zone);
    search.filters().iter().try_fold(Condition::all(), |all, filter| Ok(all.add(scope.translate(filter)?)))
}

/// Adds `search`'s filters (ANDed with whatever `select` already has, such as the caller's
/// ownership condition) and its ordering to `select`. Pagination is the caller's: see
/// [`Window::of_page`]. Add the caller's own conditions with `and_where`/`cond_where`, before
/// or after; never `or_where`, which sea_query refuses to mix with `cond_where` (it panics).
pub fn apply_search(
    select: &mut SelectStatement,
    search: &Search,
    fields: &Fields,
    backend: Backend,
    zone: &TimeZone,
) -> Result<(), FilterError> {
    let condition = condition(search, fields, backend, zone)?;
    select.cond_where(condition);
    apply_order(select, search.order_by(), fields)
}

/// Adds `ORDER BY` for `order_by` (allow-listed; a relation key must be to-one), then the
/// primary key ascending unless a key already orders by it. Nulls come first ascending and
/// last descending, on both backends.
pub fn apply_order(select: &mut SelectStatement, order_by: &[OrderBy], fields: &Fields) -> Result<(), FilterError> {
    // The backend only matters for `like` and the zone for values, which ordering never uses.
    let utc = TimeZone::utc();
    let scope = Scope::top(fields, Backend::Sqlite, &utc);
    let mut ordered_by_primary_key = false;
    for key in order_by {
        let expression = match &key.relation {
            None => {
                let spec = scope.spec(&key.field)?;
                ordered_by_primary_key |= spec.column.is(fields.primary_key);
                scope.column(spec)?
            }
            Some(relation) => scope.related_value(relation, &key.field)?,
        };
        let (order, nulls) =
            if key.descending { (Order::Desc, NullOrdering::Last) } else { (Order::Asc, NullOrdering::First) };
        select.order_by_expr_with_nulls(expression, order, nulls);
    }
    if !ordered_by_primary_key {
        select.order_by_expr(fields.primary_key.qualified(), Order::Asc);
    }
    Ok(())
}

/// The rows one page shows. Flask-Restless applies a search's `limit`/`offset` first and cuts
/// pages out of what remains; this folds both into one `OFFSET`/`LIMIT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return, at most [`MAX_PAGE_SIZE`].
    pub limit: u64,
}

impl Window {
    /// The window of the page starting `skip` rows into the search's results, `page_size`
    /// rows long (clamped to [`MAX_PAGE_SIZE`]).
    pub fn of_page(search: &Search, skip: u64, page_size: u64) -> Self {
        let page_size = std::cmp::min(page_size, MAX_PAGE_SIZE);
        let limit = match search.limit() {
            Some(limit) => std::cmp::min(page_size, limit.saturating_sub(skip)),
            None => page_size,
        };
        Self { offset: search.offset().unwrap_or(0).saturating_add(skip), limit }
    }

    /// How many rows the search yields when `total` rows match its filters: what lies inside
    /// its `limit`/`offset` (the `num_results` of a list).
    pub fn matched(search: &Search, total: u64) -> u64 {
        let after_offset = total.saturating_sub(search.offset().unwrap_or(0));
        search.limit().map_or(after_offset, |limit| std::cmp::min(after_offset, limit))
    }

    /// Sets `select`'s `OFFSET` and `LIMIT` to the window.
    pub fn apply(self, select: &mut SelectStatement) {
        select.offset(self.offset).limit(self.limit);
    }
}

/// Where a filter is being resolved: the model's allow-list and how its columns are named.
struct Scope<'a> {
    /// The allow-list names resolve against.
    fields: &'a Fields,
    /// `None` at the top of the query (columns named as the allow-list says); inside a
    /// relation's subquery, the alias its table goes by there, so a table that appears again
    /// further out (contacts → groups → contacts) is never confused with it.
    alias: Option<String>,
    /// How many relation subqueries enclose this scope; makes aliases unique along a chain.
    depth: usize,
    /// Field names in messages start with this (`groups.`), so a nested mistake is clear.
    path: String,
    /// Which SQL `like` becomes.
    backend: Backend,
    /// The zone a naive date/time in a filter is local to.
    zone: &'a TimeZone,
}

impl<'a> Scope<'a> {
    fn top(fields: &'a Fields, backend: Backend, zone: &'a TimeZone) -> Self {
        Self { fields, alias: None, depth: 0, path: String::new(), backend, zone }
    }

    /// The name to report for `name` in this scope.
    fn report(&self, name: &str) -> String {
        format!("{}{name}", self.path)
    }

    /// The allow-listed field `name`.
    fn spec(&self, name: &str) -> Result<&'a FieldSpec, FilterError> {
        self.fields.field(name).ok_or_else(|| FilterError::UnknownField(self.report(name)))
    }

    /// The column of `spec`, qualified for this scope.
    fn column(&self, spec: &FieldSpec) -> Result<Expr, FilterError> {
        let column = spec.column;
        match &self.alias {
            None => Ok(column.qualified()),
            Some(alias) if column.table() == self.fields.table.name() => {
                Ok(Expr::col((Alias::new(alias.as_str()), column.name())))
            }
            // A field on a table the repository joins at the top level is out of reach in a
            // relation subquery, which reads the target table alone.
            Some(_) => Err(FilterError::UnknownField(self.report(spec.name))),
        }
    }

    /// A column of this scope's own table (a join column), qualified for this scope.
    fn own_column(&self, column: &dyn Column) -> Expr {
        match &self.alias {
            None => column.qualified(),
            Some(alias) => Expr::col((Alias::new(alias.as_str()), column.name())),
        }
    }

    /// The field `name` as a column expression with its kind.
    fn field(&self, name: &str) -> Result<(Expr, ColumnKind), FilterError> {
        let spec = self.spec(name)?;
        Ok((self.column(spec)?, spec.kind))
    }

    /// One filter as a boolean expression.
    fn translate(&self, filter: &Filter) -> Result<Expr, FilterError> {
        match filter {
            Filter::And(filters) => {
                let all = filters
                    .iter()
                    .try_fold(Condition::all(), |all, filter| Ok::<_, FilterError>(all.add(self.translate(filter)?)))?;
                Ok(all.into())
            }
            Filter::Or(filters) => {
                let any = filters
                    .iter()
                    .try_fold(Condition::any(), |any, filter| Ok::<_, FilterError>(any.add(self.translate(filter)?)))?;
                Ok(any.into())
            }
            Filter::Compare { field, op, value } => {
                let (column, kind) = self.field(field)?;
                let value = Expr::val(coerce(&self.report(field), kind, value, self.zone)?);
                Ok(compare(column, *op, value))
            }
            Filter::CompareFields { field, op, other } => {
                let (left, left_kind) = self.field(field)?;
                let (right, right_kind) = self.field(other)?;
                if left_kind != right_kind {
                    return Err(FilterError::UnsupportedOperator {
                        field: self.report(field),
                        operator: op.symbol().to_owned(),
                        reason: format!(
                            "it is a {} field and '{}' a {} field",
                            left_kind.name(),
                            self.report(other),
                            right_kind.name()
                        ),
                    });
                }
                Ok(compare(left, *op, right))
            }
            Filter::Like { field, pattern, case_insensitive } => self.like(field, pattern, *case_insensitive),
            Filter::In { field, values, negated } => {
                let (column, kind) = self.field(field)?;
                let reported = self.report(field);
                let values =
                    values.iter().map(|value| coerce(&reported, kind, value, self.zone)).collect::<Result<Vec<_>, _>>()?;
                Ok(if *negated { column.is_not_in(values) } else { column.is_in(values) })
            }
            Filter::IsNull { field, negated } => {
                let (column, _) = self.field(field)?;
                Ok(if *negated { column.is_not_null() } else { column.is_null() })
            }
            Filter::Regex { field, pattern, case_insensitive } => self.regex(field, pattern, *case_insensitive),
            Filter::DatePart { field, part, op, value } => self.date_part(field, *part, *op, value),
            Filter::Has { relation, filter } => self.exists(relation, RelationKind::ToOne, filter),
            Filter::Any { relation, filter } => self.exists(relation, RelationKind::ToMany, filter),
        }
    }

    /// `like` / `ilike` (see the module notes for why SQLite's `like` is a GLOB).
    fn like(&self, field: &str, pattern: &str, case_insensitive: bool) -> Result<Expr, FilterError> {
        let (column, kind) = self.field(field)?;
        let operator = if case_insensitive { "ilike" } else { "like" };
        if kind != ColumnKind::Text {
            return Err(FilterError::UnsupportedOperator {
                field: self.report(field),
                operator: operator.to_owned(),
                reason: format!("it is a {} field; patterns apply to text", kind.name()),
            });
        }
        let Some(glob) = like_to_glob(pattern) else {
            return Err(FilterError::InvalidValue {
                field: self.report(field),
                expected: "a pattern whose every '\\' is followed by the character it makes literal",
                found: quoted(pattern),
            });
        };
        let with_escape =
            |pattern: Expr| Expr::Binary(Box::new(pattern), BinOper::Escape, Box::new(Expr::Constant('\\'.into())));
        Ok(match (case_insensitive, self.backend) {
            (true, _) => Expr::expr(Func::lower(column))
                .binary(BinOper::Like, with_escape(Func::lower(Expr::val(pattern)).into())),
            (false, Backend::Postgres) => column.like(LikeExpr::new(pattern).escape('\\')),
            (false, Backend::Sqlite) => column.glob(Expr::val(glob)),
        })
    }

    /// A regular expression search: checked here with Rust's regex (the syntax SQLite's
    /// `REGEXP` runs), then `REGEXP` on SQLite and `~` / `~*` on PostgreSQL.
    fn regex(&self, field: &str, pattern: &str, case_insensitive: bool) -> Result<Expr, FilterError> {
        let (column, kind) = self.field(field)?;
        let operator = if case_insensitive { "iregex" } else { "regex" };
        if kind != ColumnKind::Text {
            return Err(FilterError::UnsupportedOperator {
                field: self.report(field),
                operator: operator.to_owned(),
                reason: format!("it is a {} field; regular expressions apply to text", kind.name()),
            });
        }
        let invalid = |expected| FilterError::InvalidValue { field: self.report(field), expected, found: quoted(pattern) };
        if pattern.chars().count() > Search::MAX_REGEX_LEN {
            return Err(invalid("a regular expression of at most 256 characters"));
        }
        if regex::RegexBuilder::new(pattern).size_limit(1 << 20).build().is_err() {
            return Err(invalid("a valid regular expression"));
        }
        Ok(match self.backend {
            Backend::Sqlite => {
                let pattern = if case_insensitive { format!("(?i){pattern}") } else { pattern.to_owned() };
                Expr::cust_with_exprs("? REGEXP ?", [column, Expr::val(pattern)])
            }
            Backend::Postgres => {
                let template = if case_insensitive { "$1 ~* $2" } else { "$1 ~ $2" };
                Expr::cust_with_exprs(template, [column, Expr::val(pattern)])
            }
        })
    }

    /// A part of a date/time field (in UTC, as stored) compared with a value: `strftime` on
    /// SQLite, `EXTRACT` on PostgreSQL; both yield Django's numbering. (Custom SQL's
    /// placeholders are each backend's: `?` on SQLite, `$1` on PostgreSQL.)
    fn date_part(&self, field: &str, part: DatePart, op: CompareOp, value: &FilterValue) -> Result<Expr, FilterError> {
        let (column, kind) = self.field(field)?;
        if kind != ColumnKind::DateTime {
            return Err(FilterError::UnsupportedOperator {
                field: self.report(field),
                operator: format!("{part:?}").to_lowercase(),
                reason: format!("it is a {} field; date parts apply to dates and times", kind.name()),
            });
        }
        let reported = self.report(field);
        let (sqlite, postgres) = match part {
            DatePart::Year => ("%Y", "YEAR"),
            DatePart::Month => ("%m", "MONTH"),
            DatePart::Day => ("%d", "DAY"),
            DatePart::Week => ("%V", "WEEK"),
            DatePart::WeekDay => ("%w", "DOW"),
            DatePart::Hour => ("%H", "HOUR"),
            DatePart::Minute => ("%M", "MINUTE"),
            DatePart::Second => ("%S", "SECOND"),
            DatePart::Date => return self.date_of(column, op, value, reported),
        };
        let number = Expr::val(coerce(&reported, ColumnKind::Integer, value, self.zone)?);
        let extracted = match self.backend {
            Backend::Sqlite => Expr::cust_with_exprs(format!("CAST(strftime('{sqlite}', ?) AS INTEGER)"), [column]),
            Backend::Postgres => Expr::cust_with_exprs(format!("CAST(EXTRACT({postgres} FROM $1 AT TIME ZONE 'UTC') AS INTEGER)"), [column]),
        };
        // Django counts week days from 1 (Sunday); both databases from 0.
        let extracted = if part == DatePart::WeekDay { extracted.add(1) } else { extracted };
        Ok(compare(extracted, op, number))
    }

    /// The date of a date/time `column` compared with a `YYYY-MM-DD` value.
    fn date_of(&self, column: Expr, op: CompareOp, value: &FilterValue, reported: String) -> Result<Expr, FilterError> {
        let invalid = || FilterError::InvalidValue { field: reported.clone(), expected: "a date such as 2024-05-01", found: shown(value) };
        let FilterValue::Text(text) = value else {
            return Err(invalid());
        };
        let day = Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| invalid())?;
        let day = Expr::val(day.to_string());
        Ok(match self.backend {
            Backend::Sqlite => compare(Expr::cust_with_exprs("date(?)", [column]), op, day),
            Backend::Postgres => {
                compare(Expr::cust_with_exprs("CAST($1 AT TIME ZONE 'UTC' AS DATE)", [column]), op, Expr::cust_with_exprs("CAST($1 AS DATE)", [day]))
            }
        })
    }

    /// The scope of `relation`'s target and a `SELECT` over it correlated with this scope's row.
    fn related(&self, name: &str) -> Result<(&'a RelationSpec, Scope<'a>, SelectStatement), FilterError> {
        let relation = self.fields.relation(name).ok_or_else(|| FilterError::UnknownField(self.report(name)))?;
        let depth = self.depth + 1;
        // Aliases come from a counter, never from client input.
        let alias = format!("related_{depth}");
        let mut select = Query::select();
        select.expr(Expr::col((Alias::new(alias.as_str()), relation.target.primary_key.name())));
        match relation.join {
            Join::Columns { local, remote } => {
                select
                    .from_as(relation.target.table.name(), Alias::new(alias.as_str()))
                    .and_where(Expr::col((Alias::new(alias.as_str()), remote.name())).eq(self.own_column(local)));
            }
            Join::Link { local_key, remote_key, local, remote } => {
                let link = format!("link_{depth}");
                select
                    .from_as(local_key.table(), Alias::new(link.as_str()))
                    .join_as(
                        JoinType::InnerJoin,
                        relation.target.table.name(),
                        Alias::new(alias.as_str()),
                        Expr::col((Alias::new(alias.as_str()), remote.name()))
                            .equals((Alias::new(link.as_str()), remote_key.name())),
                    )
                    .and_where(Expr::col((Alias::new(link.as_str()), local_key.name())).eq(self.own_column(local)));
            }
        }
        let scope = Scope {
            fields: relation.target,
            alias: Some(alias),
            depth,
            path: format!("{}{}.", self.path, relation.name),
            backend: self.backend,
            zone: self.zone,
        };
        Ok((relation, scope, select))
    }

    /// `EXISTS (SELECT … FROM target WHERE correlation AND filter)` for `has` / `any`.
    fn exists(&self, name: &str, expected: RelationKind, filter: &Filter) -> Result<Expr, FilterError> {
        let (relation, scope, mut select) = self.related(name)?;
        if relation.kind != expected {
            let (kind, test) = match relation.kind {
                RelationKind::ToOne => ("to-one", "has"),
                RelationKind::ToMany => ("to-many", "any"),
            };
            return Err(FilterError::WrongRelationKind { relation: self.report(name), kind, expected: test });
        }
        select.and_where(scope.translate(filter)?);
        Ok(Expr::exists(select))
    }

    /// `(SELECT target.field FROM … WHERE correlation LIMIT 1)`: the value a to-one relation's
    /// field has for this row, to order by.
    fn related_value(&self, name: &str, field: &str) -> Result<Expr, FilterError> {
        let (relation, scope, mut select) = self.related(name)?;
        if relation.kind != RelationKind::ToOne {
            return Err(FilterError::UnsupportedOperator {
                field: scope.report(field),
                operator: "order by".to_owned(),
                reason: format!(
                    "'{}' is a to-many relation, so a row has no single value to order by",
                    self.report(name)
                ),
            });
        }
        let (column, _) = scope.field(field)?;
        select.clear_selects().expr(column).limit(1);
        Ok(Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(select))))
    }
}

/// `left <op> right`.
fn compare(left: Expr, op: CompareOp, right: Expr) -> Expr {
    match op {
        CompareOp::Eq => left.eq(right),
        CompareOp::Ne => left.ne(right),
        CompareOp::Gt => left.gt(right),
        CompareOp::Lt => left.lt(right),
        CompareOp::Ge => left.gte(right),
        CompareOp::Le => left.lte(right),
    }
}

/// A client's value as the bound value for a column of `kind` (see [`ColumnKind`] for what
/// each kind accepts).
fn coerce(field: &str, kind: ColumnKind, value: &FilterValue, zone: &TimeZone) -> Result<Value, FilterError> {
    let invalid =
        || FilterError::InvalidValue { field: field.to_owned(), expected: kind.expected(), found: shown(value) };
    match (kind, value) {
        (_, FilterValue::Null) => Err(FilterError::NullComparison { field: field.to_owned() }),
        (ColumnKind::Integer, FilterValue::Integer(integer)) => Ok((*integer).into()),
        (ColumnKind::Integer, FilterValue::Float(float)) => integral(*float).map(Value::from).ok_or_else(invalid),
        (ColumnKind::Integer, FilterValue::Text(text)) => text.parse::<i64>().map(Value::from).map_err(|_| invalid()),
        (ColumnKind::Text, FilterValue::Text(text)) => Ok(text.clone().into()),
        (ColumnKind::Text, FilterValue::Integer(integer)) => Ok(integer.to_string().into()),
        (ColumnKind::Bool, FilterValue::Bool(flag)) => Ok((*flag).into()),
        (ColumnKind::Bool, FilterValue::Integer(0)) => Ok(false.into()),
        (ColumnKind::Bool, FilterValue::Integer(1)) => Ok(true.into()),
        (ColumnKind::DateTime, FilterValue::Text(text)) => {
            parse_datetime(text, zone).map(|at| stored_time(at).into()).ok_or_else(invalid)
        }
        _ => Err(invalid()),
    }
}

/// `float` as an integer, when it is one.
fn integral(float: f64) -> Option<i64> {
    // 2^63 is exactly representable; every integral float in [-2^63, 2^63) converts exactly.
    const TWO_TO_THE_63: f64 = 9_223_372_036_854_775_808.0;
    (float.fract() == 0.0 && (-TWO_TO_THE_63..TWO_TO_THE_63).contains(&float)).then_some(float as i64)
}

/// A value as a message shows it.
fn shown(value: &FilterValue) -> String {
    match value {
        FilterValue::Null => "null".to_owned(),
        FilterValue::Bool(flag) => flag.to_string(),
        FilterValue::Integer(integer) => integer.to_string(),
        FilterValue::Float(float) => float.to_string(),
        FilterValue::Text(text) => quoted(text),
    }
}

/// A client's string quoted for a message, cut at 40 characters.
fn quoted(text: &str) -> String {
    let mut shown: String = text.chars().take(40).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    format!("{shown:?}")
}

/// A date/time in one of the forms [`ColumnKind::DateTime`] lists; naive forms are local
/// to `zone` (Janua renders its times naive, in the server's zone).
fn parse_datetime(text: &str, zone: &TimeZone) -> Option<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at);
    }
    let with_offset = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]][offset_hour sign:mandatory]:[offset_minute]"
    );
    if let Ok(at) = OffsetDateTime::parse(text, with_offset) {
        return Some(at);
    }
    let naive = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
    ];
    if let Some(at) = naive.iter().find_map(|format| PrimitiveDateTime::parse(text, format).ok()) {
        return zone.from_local(at).ok();
    }
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok().and_then(|day| zone.from_local(day.midnight()).ok())
}

/// A `LIKE` pattern (`%`, `_`, `\` escapes) as the equivalent SQLite `GLOB` pattern, or `None`
/// when it ends in a lone `\`.
fn like_to_glob(pattern: &str) -> Option<String> {
    let mut glob = String::with_capacity(pattern.len() + 8);
    let mut characters = pattern.chars();
    while let Some(character) = characters.next() {
        match character {
            '%' => glob.push('*'),
            '_' => glob.push('?'),
            '\\' => push_literal(&mut glob, characters.next()?),
            other => push_literal(&mut glob, other),
        }
    }
    Some(glob)
}

/// Appends `character` to a GLOB pattern so that it matches only itself.
fn push_literal(glob: &mut String, character: char) {
    if matches!(character, '*' | '?' | '[') {
        glob.push('[');
        glob.push(character);
        glob.push(']');
    } else {
        glob.push(character);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder, Values};
    use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, IdenStatic, QueryFilter, QuerySelect, Set};
    use time::macros::datetime;

    // A tiny schema: people belong to teams through memberships; a team has a lead.
    mod people {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "people")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: i64,
            #[sea_orm(column_type = "Text")]
            pub firstname: String,
            #[sea_orm(column_type = "Text")]
            pub nickname: Option<String>,
            pub age: Option<i64>,
            pub active: bool,
            pub born: Option<TimeDateTimeWithTimeZone>,
            #[sea_orm(column_type = "Text")]
            pub secret: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    mod teams {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "teams")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: i64,
            #[sea_orm(column_type = "Text")]
            pub name: String,
            pub lead_id: Option<i64>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    mod memberships {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "memberships")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: i64,
            pub person_id: i64,
            pub team_id: i64,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    static PEOPLE: Fields = Fields {
        table: &people::Entity,
        primary_key: &people::Column::Id,
        owner: Owner::Column(&people::Column::Id),
        fields: &[
            FieldSpec { name: "id", column: &people::Column::Id, kind: ColumnKind::Integer },
            FieldSpec { name: "firstname", column: &people::Column::Firstname, kind: ColumnKind::Text },
            FieldSpec { name: "nickname", column: &people::Column::Nickname, kind: ColumnKind::Text },
            FieldSpec { name: "age", column: &people::Column::Age, kind: ColumnKind::Integer },
            FieldSpec { name: "active", column: &people::Column::Active, kind: ColumnKind::Bool },
            FieldSpec { name: "born", column: &people::Column::Born, kind: ColumnKind::DateTime },
            // `secret` is a column of `people` and deliberately not listed.
        ],
        relations: &[
            RelationSpec {
                name: "teams",
                kind: RelationKind::ToMany,
                target: &TEAMS,
                join: Join::Link {
                    local_key: &memberships::Column::PersonId,
                    remote_key: &memberships::Column::TeamId,
                    local: &people::Column::Id,
                    remote: &teams::Column::Id,
                },
            },
            RelationSpec {
                name: "led",
                kind: RelationKind::ToMany,
                target: &TEAMS,
                join: Join::Columns { local: &people::Column::Id, remote: &teams::Column::LeadId },
            },
        ],
    };

    static TEAMS: Fields = Fields {
        table: &teams::Entity,
        primary_key: &teams::Column::Id,
        owner: Owner::Column(&teams::Column::LeadId),
        fields: &[
            FieldSpec { name: "id", column: &teams::Column::Id, kind: ColumnKind::Integer },
            FieldSpec { name: "name", column: &teams::Column::Name, kind: ColumnKind::Text },
        ],
        relations: &[
            RelationSpec {
                name: "members",
                kind: RelationKind::ToMany,
                target: &PEOPLE,
                join: Join::Link {
                    local_key: &memberships::Column::TeamId,
                    remote_key: &memberships::Column::PersonId,
                    local: &teams::Column::Id,
                    remote: &people::Column::Id,
                },
            },
            RelationSpec {
                name: "lead",
                kind: RelationKind::ToOne,
                target: &PEOPLE,
                join: Join::Columns { local: &teams::Column::LeadId, remote: &people::Column::Id },
            },
        ],
    };

    // --- building blocks -------------------------------------------------------------------

    fn text(value: &str) -> FilterValue {
        FilterValue::Text(value.into())
    }

    fn eq(field: &str, value: FilterValue) -> Filter {
        Filter::Compare { field: field.into(), op: CompareOp::Eq, value }
    }

    fn cmp(field: &str, op: CompareOp, value: FilterValue) -> Filter {
        Filter::Compare { field: field.into(), op, value }
    }

    fn like(field: &str, pattern: &str) -> Filter {
        Filter::Like { field: field.into(), pattern: pattern.into(), case_insensitive: false }
    }

    fn ilike(field: &str, pattern: &str) -> Filter {
        Filter::Like { field: field.into(), pattern: pattern.into(), case_insensitive: true }
    }

    fn any(relation: &str, filter: Filter) -> Filter {
        Filter::Any { relation: relation.into(), filter: Box::new(filter) }
    }

    fn has(relation: &str, filter: Filter) -> Filter {
        Filter::Has { relation: relation.into(), filter: Box::new(filter) }
    }

    fn search(filters: Vec<Filter>) -> Search {
        Search::new(filters, vec![], None, None, false).unwrap()
    }

    fn ordered(order_by: Vec<OrderBy>) -> Search {
        Search::new(vec![], order_by, None, None, false).unwrap()
    }

    fn key(field: &str, descending: bool) -> OrderBy {
        OrderBy { relation: None, field: field.into(), descending }
    }

    fn select_ids(fields: &Fields, search: &Search, backend: Backend) -> Result<SelectStatement, FilterError> {
        let mut select = Query::select().expr(fields.primary_key.qualified()).from(fields.table.name()).take();
        apply_search(&mut select, search, fields, backend, &TimeZone::utc())?;
        Ok(select)
    }

    fn sql(filters: Vec<Filter>, backend: Backend) -> (String, Values) {
        let select = select_ids(&PEOPLE, &search(filters), backend).unwrap();
        match backend {
            Backend::Sqlite => select.build(SqliteQueryBuilder),
            Backend::Postgres => select.build(PostgresQueryBuilder),
        }
    }

    fn refused(fields: &Fields, filters: Vec<Filter>) -> FilterError {
        select_ids(fields, &search(filters), Backend::Sqlite).unwrap_err()
    }

    const INJECTION: &str = "'; DROP TABLE people; --";

    // --- SQL text: values are bound, never written into it --------------------------------

    #[test]
    fn values_are_bound_on_both_backends() {
        let filters = || {
            vec![
                eq("firstname", text(INJECTION)),
                cmp("age", CompareOp::Ge, FilterValue::Integer(4242)),
                Filter::In { field: "nickname".into(), values: vec![text("n1ck"), text("n4me")], negated: true },
                like("nickname", "pat%tern"),
                ilike("firstname", "Sh_out"),
                any("teams", eq("name", text("T34M"))),
            ]
        };
        for (backend, placeholder) in [(Backend::Sqlite, "?"), (Backend::Postgres, "$6")] {
            let (sql, values) = sql(filters(), backend);
            assert!(sql.contains(placeholder), "{sql}");
            for secret in ["DROP", "4242", "n1ck", "n4me", "pat", "Sh_out", "T34M"] {
                assert!(!sql.contains(secret), "{secret} is in {sql}");
            }
            let pattern = if backend == Backend::Sqlite { "pat*tern" } else { "pat%tern" };
            for secret in [INJECTION, "n1ck", "n4me", pattern, "Sh_out", "T34M"] {
                assert!(values.0.contains(&Value::from(secret)), "{secret} not bound: {values:?}");
            }
            assert!(values.0.contains(&Value::from(4242_i64)), "{values:?}");
        }
    }

    #[test]
    fn like_is_a_glob_on_sqlite_and_a_like_on_postgres_and_ilike_lowers_both_sides() {
        let (sqlite, values) = sql(vec![like("firstname", "J%_\\*")], Backend::Sqlite);
        assert!(sqlite.contains(r#""people"."firstname" GLOB ?"#), "{sqlite}");
        assert_eq!(values.0, vec![Value::from("J*?[*]")]);
        let (postgres, values) = sql(vec![like("firstname", "J%")], Backend::Postgres);
        assert!(postgres.contains(r#""people"."firstname" LIKE $1 ESCAPE "#), "{postgres}");
        assert_eq!(values.0, vec![Value::from("J%")]);
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let (sql, _) = sql(vec![ilike("firstname", "j%")], backend);
            assert!(sql.contains(r#"LOWER("people"."firstname") LIKE LOWER("#), "{sql}");
            assert!(sql.contains("ESCAPE"), "{sql}");
        }
    }

    #[test]
    fn relation_tests_are_correlated_exists_subqueries_with_their_own_aliases() {
        let (sql, _) = sql(vec![any("teams", any("members", eq("firstname", text("x"))))], Backend::Postgres);
        assert!(sql.contains(r#"EXISTS(SELECT "related_1"."id" FROM "memberships" AS "link_1""#), "{sql}");
        assert!(sql.contains(r#""link_1"."person_id" = "people"."id""#), "{sql}");
        assert!(sql.contains(r#""link_2"."team_id" = "related_1"."id""#), "{sql}");
        assert!(sql.contains(r#""related_2"."firstname" = $1"#), "{sql}");
    }

    #[test]
    fn order_by_is_allow_listed_with_nulls_alike_and_ends_with_the_primary_key() {
        let select =
            select_ids(&PEOPLE, &ordered(vec![key("age", true), key("firstname", false)]), Backend::Postgres).unwrap();
        let (sql, _) = select.build(PostgresQueryBuilder);
        assert!(
            sql.ends_with(
                r#"ORDER BY "people"."age" DESC NULLS LAST, "people"."firstname" ASC NULLS FIRST, "people"."id" ASC"#
            ),
            "{sql}"
        );
        let by_id = select_ids(&PEOPLE, &ordered(vec![key("id", true)]), Backend::Sqlite).unwrap();
        assert!(by_id.to_string(SqliteQueryBuilder).ends_with(r#"ORDER BY "people"."id" DESC NULLS LAST"#));
        let default = select_ids(&PEOPLE, &Search::default(), Backend::Sqlite).unwrap();
        assert!(default.to_string(SqliteQueryBuilder).ends_with(r#"ORDER BY "people"."id" ASC"#));
    }

    // --- refusals --------------------------------------------------------------------------

    #[test]
    fn unknown_and_hidden_fields_are_unknown() {
        assert_eq!(refused(&PEOPLE, vec![eq("secret", text("x"))]), FilterError::UnknownField("secret".into()));
        assert_eq!(
            refused(&PEOPLE, vec![Filter::IsNull { field: "nosuch".into(), negated: false }]),
            FilterError::UnknownField("nosuch".into())
        );
        assert_eq!(
            refused(&PEOPLE, vec![any("nosuch", eq("id", FilterValue::Integer(1)))]),
            FilterError::UnknownField("nosuch".into())
        );
        assert_eq!(
            refused(&PEOPLE, vec![any("teams", has("lead", eq("secret", text("x"))))]),
            FilterError::UnknownField("teams.lead.secret".into())
        );
        assert_eq!(
            refused(
                &PEOPLE,
                vec![Filter::CompareFields { field: "age".into(), op: CompareOp::Eq, other: "secret".into() }]
            ),
            FilterError::UnknownField("secret".into())
        );
        let mut select = Query::select();
        assert_eq!(
            apply_order(&mut select, &[key("secret", false)], &PEOPLE),
            Err(FilterError::UnknownField("secret".into()))
        );
        let through = OrderBy { relation: Some("lead".into()), field: "secret".into(), descending: false };
        assert_eq!(apply_order(&mut select, &[through], &TEAMS), Err(FilterError::UnknownField("lead.secret".into())));
    }

    #[test]
    fn relation_tests_must_fit_the_relation() {
        let error = refused(&PEOPLE, vec![has("teams", eq("name", text("x")))]);
        assert_eq!(
            error,
            FilterError::WrongRelationKind { relation: "teams".into(), kind: "to-many", expected: "any" }
        );
        let error = refused(&TEAMS, vec![any("lead", eq("firstname", text("x")))]);
        assert_eq!(error, FilterError::WrongRelationKind { relation: "lead".into(), kind: "to-one", expected: "has" });
        let mut select = Query::select();
        let to_many = OrderBy { relation: Some("teams".into()), field: "name".into(), descending: false };
        let error = apply_order(&mut select, &[to_many], &PEOPLE).unwrap_err();
        assert!(error.to_string().contains("'teams' is a to-many relation"), "{error}");
    }

    #[test]
    fn values_must_fit_the_column() {
        let invalid = |field: &str, value: FilterValue| refused(&PEOPLE, vec![eq(field, value)]);
        assert!(matches!(invalid("age", text("thirty")), FilterError::InvalidValue { expected: "an integer", .. }));
        assert!(matches!(invalid("age", FilterValue::Float(2.5)), FilterError::InvalidValue { .. }));
        assert!(matches!(invalid("age", FilterValue::Bool(true)), FilterError::InvalidValue { .. }));
        assert!(matches!(invalid("active", FilterValue::Integer(2)), FilterError::InvalidValue { .. }));
        assert!(matches!(invalid("active", text("true")), FilterError::InvalidValue { .. }));
        assert!(matches!(invalid("firstname", FilterValue::Float(1.5)), FilterError::InvalidValue { .. }));
        assert!(matches!(invalid("firstname", FilterValue::Bool(false)), FilterError::InvalidValue { .. }));
        let error = invalid("born", text("yesterday"));
        assert_eq!(
            error.to_string(),
            "'born' expects a date and time such as 2024-05-01T10:00:00Z or 2024-05-01, not \"yesterday\""
        );
        assert_eq!(invalid("age", FilterValue::Null), FilterError::NullComparison { field: "age".into() });
        let in_null = Filter::In { field: "age".into(), values: vec![FilterValue::Null], negated: false };
        assert_eq!(refused(&PEOPLE, vec![in_null]), FilterError::NullComparison { field: "age".into() });
        let long = "x".repeat(100);
        assert!(invalid("age", text(&long)).to_string().ends_with("xxx…\""));
    }

    #[test]
    fn operators_must_fit_the_column() {
        let error = refused(&PEOPLE, vec![like("age", "1%")]);
        assert_eq!(error.to_string(), "'like' cannot be used on 'age': it is a integer field; patterns apply to text");
        assert!(matches!(refused(&PEOPLE, vec![ilike("born", "2024%")]), FilterError::UnsupportedOperator { .. }));
        let mixed = Filter::CompareFields { field: "age".into(), op: CompareOp::Lt, other: "firstname".into() };
        assert!(refused(&PEOPLE, vec![mixed]).to_string().contains("'firstname' a text field"));
        let dangling = refused(&PEOPLE, vec![like("firstname", "abc\\")]);
        assert!(matches!(dangling, FilterError::InvalidValue { .. }), "{dangling}");
        assert!(matches!(refused(&PEOPLE, vec![ilike("firstname", "\\")]), FilterError::InvalidValue { .. }));
    }

    #[test]
    fn coercions() {
        let utc = TimeZone::utc();
        let bound = |field: &str, kind, value| coerce(field, kind, &value, &utc).unwrap();
        assert_eq!(bound("a", ColumnKind::Integer, text("42")), Value::from(42_i64));
        assert_eq!(bound("a", ColumnKind::Integer, FilterValue::Float(42.0)), Value::from(42_i64));
        assert_eq!(bound("a", ColumnKind::Text, FilterValue::Integer(33612)), Value::from("33612"));
        assert_eq!(bound("a", ColumnKind::Bool, FilterValue::Integer(1)), Value::from(true));
        assert_eq!(bound("a", ColumnKind::Bool, FilterValue::Integer(0)), Value::from(false));
        assert!(coerce("a", ColumnKind::Integer, &FilterValue::Float(1e19), &utc).is_err());
        assert!(coerce("a", ColumnKind::Integer, &FilterValue::Float(f64::NAN), &utc).is_err());
    }

    #[test]
    fn date_time_forms() {
        let noon = datetime!(2024-05-01 12:00:00 UTC);
        for form in [
            "2024-05-01T12:00:00Z",
            "2024-05-01T14:00:00+02:00",
            "2024-05-01T12:00:00.250Z",
            "2024-05-01T12:00:00",
            "2024-05-01T12:00:00.123456",
            "2024-05-01 12:00:00",
            "2024-05-01 12:00:00.5",
            "2024-05-01 13:00:00+01:00",
            "2024-05-01T12:00",
            "2024-05-01 12:00",
        ] {
            let parsed = parse_datetime(form, &TimeZone::utc()).unwrap_or_else(|| panic!("{form} refused"));
            assert_eq!(stored_time(parsed), noon, "{form}");
        }
        assert_eq!(parse_datetime("2024-05-01", &TimeZone::utc()), Some(datetime!(2024-05-01 0:00 UTC)));
        for bad in ["2024-13-01", "01/05/2024", "2024-05-01T25:00:00", "", "now"] {
            assert_eq!(parse_datetime(bad, &TimeZone::utc()), None, "{bad}");
        }
    }

    #[test]
    fn naive_times_are_local_and_explicit_offsets_stay() {
        let paris = TimeZone::parse("Europe/Paris").unwrap();
        // Summer: UTC+2; winter: UTC+1.
        assert_eq!(parse_datetime("2024-05-01T14:00:00", &paris), Some(datetime!(2024-05-01 12:00 UTC)));
        assert_eq!(parse_datetime("2024-12-01 14:00", &paris), Some(datetime!(2024-12-01 13:00 UTC)));
        assert_eq!(parse_datetime("2024-05-01", &paris), Some(datetime!(2024-04-30 22:00 UTC)));
        assert_eq!(parse_datetime("2024-05-01T14:00:00Z", &paris), Some(datetime!(2024-05-01 14:00 UTC)));
        assert_eq!(parse_datetime("2024-05-01T14:00:00+05:00", &paris), Some(datetime!(2024-05-01 09:00 UTC)));
        // 02:30 on the spring-forward night does not exist: the instant the clocks jump.
        assert_eq!(parse_datetime("2024-03-31T02:30:00", &paris), Some(datetime!(2024-03-31 01:00 UTC)));
    }

    #[test]
    fn like_patterns_translate_to_globs() {
        assert_eq!(like_to_glob("J%").as_deref(), Some("J*"));
        assert_eq!(like_to_glob("a_b").as_deref(), Some("a?b"));
        assert_eq!(like_to_glob("100\\%").as_deref(), Some("100%"));
        assert_eq!(like_to_glob("a\\_b").as_deref(), Some("a_b"));
        assert_eq!(like_to_glob("*?[]").as_deref(), Some("[*][?][[]]"));
        assert_eq!(like_to_glob("\\\\x").as_deref(), Some("\\x"));
        assert_eq!(like_to_glob("\\a").as_deref(), Some("a"));
        assert_eq!(like_to_glob("é_%").as_deref(), Some("é?*"));
        assert_eq!(like_to_glob("oops\\"), None);
    }

    #[test]
    fn windows_fold_the_search_window_into_pages() {
        let plain = Search::default();
        assert_eq!(Window::of_page(&plain, 0, 10), Window { offset: 0, limit: 10 });
        assert_eq!(Window::of_page(&plain, 20, 50_000), Window { offset: 20, limit: MAX_PAGE_SIZE });
        let limited = Search::new(vec![], vec![], Some(25), Some(5), false).unwrap();
        assert_eq!(Window::of_page(&limited, 0, 10), Window { offset: 5, limit: 10 });
        assert_eq!(Window::of_page(&limited, 20, 10), Window { offset: 25, limit: 5 });
        assert_eq!(Window::of_page(&limited, 30, 10), Window { offset: 35, limit: 0 });
        assert_eq!(Window::matched(&limited, 100), 25);
        assert_eq!(Window::matched(&limited, 12), 7);
        assert_eq!(Window::matched(&limited, 3), 0);
        assert_eq!(Window::matched(&plain, 3), 3);
        let mut select = Query::select().column(people::Column::Id).from(people::Entity).take();
        Window { offset: 5, limit: 10 }.apply(&mut select);
        assert!(select.to_string(SqliteQueryBuilder).ends_with("LIMIT 10 OFFSET 5"));
    }

    // --- executed on real databases --------------------------------------------------------

    async fn create_schema(db: &DatabaseConnection) {
        let schema = sea_orm::Schema::new(db.get_database_backend());
        for table in [
            schema.create_table_from_entity(people::Entity),
            schema.create_table_from_entity(teams::Entity),
            schema.create_table_from_entity(memberships::Entity),
        ] {
            db.execute(&table).await.unwrap();
        }
        type Person = (i64, &'static str, Option<&'static str>, Option<i64>, bool, Option<OffsetDateTime>);
        let people: [Person; 6] = [
            (1, "Jane", Some("JJ"), Some(30), true, Some(datetime!(1990-05-01 10:00 UTC))),
            (2, "jane", None, Some(25), false, Some(datetime!(1995-01-01 0:00 UTC))),
            (3, "JANE", Some("j"), None, true, None),
            (4, "Jérôme", Some("100%"), Some(40), true, Some(datetime!(1980-12-31 23:59:59 UTC))),
            (5, "O'Brien", Some("a_b"), Some(50), false, None),
            (6, "Zoë", Some("a*b"), Some(60), true, Some(datetime!(2000-01-01 12:00 UTC))),
        ];
        let people = people.map(|(id, firstname, nickname, age, active, born)| people::ActiveModel {
            id: Set(id),
            firstname: Set(firstname.to_owned()),
            nickname: Set(nickname.map(str::to_owned)),
            age: Set(age),
            active: Set(active),
            born: Set(born),
            secret: Set(format!("hash-{id}")),
        });
        people::Entity::insert_many(people).exec_without_returning(db).await.unwrap();
        let teams = [(1_i64, "MESO", Some(1_i64)), (2, "meso", None), (3, "HPC", Some(4))]
            .map(|(id, name, lead)| teams::ActiveModel { id: Set(id), name: Set(name.to_owned()), lead_id: Set(lead) });
        teams::Entity::insert_many(teams).exec_without_returning(db).await.unwrap();
        let memberships = [(1_i64, 1_i64, 1_i64), (2, 2, 2), (3, 3, 1), (4, 3, 3)].map(|(id, person, team)| {
            memberships::ActiveModel { id: Set(id), person_id: Set(person), team_id: Set(team) }
        });
        memberships::Entity::insert_many(memberships).exec_without_returning(db).await.unwrap();
    }

    async fn ids(db: &DatabaseConnection, backend: Backend, fields: &Fields, search: &Search) -> Vec<i64> {
        let select = select_ids(fields, search, backend).unwrap();
        let rows = db.query_all(&select).await.unwrap();
        rows.iter().map(|row| row.try_get::<i64>("", people::Column::Id.as_str()).unwrap()).collect()
    }

    /// Every claim of the module, on one backend: the same answers are expected on both.
    async fn exercise(db: &DatabaseConnection, backend: Backend) {
        create_schema(db).await;
        let people = async |filters: Vec<Filter>| ids(db, backend, &PEOPLE, &search(filters)).await;
        let int = FilterValue::Integer;

        // The difference this module hides: a bare LIKE ignores case on SQLite only.
        let bare: Vec<i64> = people::Entity::find()
            .select_only()
            .column(people::Column::Id)
            .filter(people::Column::Firstname.like("Jane"))
            .into_tuple()
            .all(db)
            .await
            .unwrap();
        assert_eq!(bare, if backend == Backend::Sqlite { vec![1, 2, 3] } else { vec![1] });

        // like is case-sensitive, ilike is not, on both backends.
        assert_eq!(people(vec![like("firstname", "Jane")]).await, [1]);
        assert_eq!(people(vec![like("firstname", "J%")]).await, [1, 3, 4]);
        assert_eq!(people(vec![like("firstname", "%a_e")]).await, [1, 2]);
        assert_eq!(people(vec![ilike("firstname", "jane")]).await, [1, 2, 3]);
        assert_eq!(people(vec![ilike("firstname", "J_R%")]).await, [4]);
        assert_eq!(people(vec![ilike("firstname", "zoë")]).await, [6]);
        // % and _ are wildcards, \ makes them literal, GLOB's own wildcards are literal.
        assert_eq!(people(vec![like("nickname", "a_b")]).await, [5, 6]);
        assert_eq!(people(vec![like("nickname", "a\\_b")]).await, [5]);
        assert_eq!(people(vec![like("nickname", "a*b")]).await, [6]);
        assert_eq!(people(vec![like("nickname", "%\\%")]).await, [4]);
        assert_eq!(people(vec![ilike("nickname", "A?B")]).await, Vec::<i64>::new());

        // comparisons, coercions, membership, nulls.
        assert_eq!(people(vec![eq("firstname", text("jane"))]).await, [2]);
        assert_eq!(people(vec![cmp("age", CompareOp::Gt, int(30))]).await, [4, 5, 6]);
        assert_eq!(people(vec![cmp("age", CompareOp::Le, text("30"))]).await, [1, 2]);
        assert_eq!(people(vec![cmp("age", CompareOp::Ne, int(30))]).await, [2, 4, 5, 6]);
        assert_eq!(people(vec![eq("active", FilterValue::Bool(true))]).await, [1, 3, 4, 6]);
        assert_eq!(people(vec![eq("active", int(0))]).await, [2, 5]);
        let list = |values: Vec<FilterValue>, negated| Filter::In { field: "id".into(), values, negated };
        assert_eq!(people(vec![list(vec![int(1), int(3), int(99)], false)]).await, [1, 3]);
        assert_eq!(people(vec![list(vec![int(1), int(2)], true)]).await, [3, 4, 5, 6]);
        assert_eq!(people(vec![list(vec![], false)]).await, Vec::<i64>::new());
        assert_eq!(people(vec![list(vec![], true)]).await, [1, 2, 3, 4, 5, 6]);
        assert_eq!(people(vec![Filter::IsNull { field: "age".into(), negated: false }]).await, [3]);
        assert_eq!(people(vec![Filter::IsNull { field: "nickname".into(), negated: true }]).await, [1, 3, 4, 5, 6]);
        let older_than_id = Filter::CompareFields { field: "age".into(), op: CompareOp::Gt, other: "id".into() };
        assert_eq!(people(vec![older_than_id]).await, [1, 2, 4, 5, 6]);

        // dates, in every accepted form.
        assert_eq!(people(vec![cmp("born", CompareOp::Gt, text("1990-01-01"))]).await, [1, 2, 6]);
        assert_eq!(people(vec![eq("born", text("1990-05-01T12:00:00+02:00"))]).await, [1]);
        assert_eq!(people(vec![cmp("born", CompareOp::Ge, text("1995-01-01 00:00:00"))]).await, [2, 6]);
        assert_eq!(people(vec![cmp("born", CompareOp::Lt, text("1981-01-01T00:00:00"))]).await, [4]);

        // and/or nest; empty junctions are true and false.
        let nested = Filter::Or(vec![
            Filter::And(vec![eq("active", FilterValue::Bool(true)), cmp("age", CompareOp::Gt, int(35))]),
            eq("firstname", text("jane")),
        ]);
        assert_eq!(people(vec![nested]).await, [2, 4, 6]);
        let and_of_ors = Filter::And(vec![
            Filter::Or(vec![eq("id", int(1)), eq("id", int(2)), eq("id", int(5))]),
            Filter::Or(vec![eq("active", int(0)), cmp("age", CompareOp::Lt, int(26))]),
        ]);
        assert_eq!(people(vec![and_of_ors]).await, [2, 5]);
        assert_eq!(people(vec![Filter::And(vec![])]).await, [1, 2, 3, 4, 5, 6]);
        assert_eq!(people(vec![Filter::Or(vec![])]).await, Vec::<i64>::new());

        // any over a link table, a foreign key, nested relations re-entering the same table.
        assert_eq!(people(vec![any("teams", eq("name", text("MESO")))]).await, [1, 3]);
        assert_eq!(people(vec![any("teams", ilike("name", "meso"))]).await, [1, 2, 3]);
        assert_eq!(people(vec![any("led", Filter::And(vec![]))]).await, [1, 4]);
        assert_eq!(people(vec![any("teams", has("lead", eq("firstname", text("Jérôme"))))]).await, [3]);
        assert_eq!(people(vec![any("teams", any("members", eq("firstname", text("JANE"))))]).await, [1, 3]);
        assert_eq!(people(vec![Filter::Or(vec![any("led", eq("name", text("HPC"))), eq("id", int(2))])]).await, [2, 4]);
        let teams = async |filters: Vec<Filter>| ids(db, backend, &TEAMS, &search(filters)).await;
        assert_eq!(teams(vec![has("lead", eq("active", FilterValue::Bool(true)))]).await, [1, 3]);
        assert_eq!(teams(vec![any("members", like("firstname", "J%"))]).await, [1, 3]);

        // ordering: nulls first ascending, last descending; ties by primary key; to-one keys.
        let sorted = async |fields: &Fields, order_by| ids(db, backend, fields, &ordered(order_by)).await;
        assert_eq!(sorted(&PEOPLE, vec![key("age", false)]).await, [3, 2, 1, 4, 5, 6]);
        assert_eq!(sorted(&PEOPLE, vec![key("age", true)]).await, [6, 5, 4, 1, 2, 3]);
        assert_eq!(sorted(&PEOPLE, vec![key("active", false)]).await, [2, 5, 1, 3, 4, 6]);
        assert_eq!(sorted(&PEOPLE, vec![key("born", true), key("id", true)]).await, [6, 2, 1, 4, 5, 3]);
        let by_lead_age = |descending| OrderBy { relation: Some("lead".into()), field: "age".into(), descending };
        assert_eq!(sorted(&TEAMS, vec![by_lead_age(false)]).await, [2, 1, 3]);
        assert_eq!(sorted(&TEAMS, vec![by_lead_age(true)]).await, [3, 1, 2]);

        // the caller's own condition (ownership) stays ANDed with a client's OR, before or after.
        for ownership_first in [true, false] {
            let widening = search(vec![Filter::Or(vec![eq("id", int(1)), eq("id", int(2))]), Filter::Or(vec![])]);
            let narrowing = search(vec![Filter::Or(vec![eq("id", int(1)), eq("id", int(2))])]);
            for (client, expected) in [(widening, vec![]), (narrowing, vec![1_i64])] {
                let mut select =
                    Query::select().column((people::Entity, people::Column::Id)).from(people::Entity).take();
                let owned = Expr::col((people::Entity, people::Column::Active)).eq(true);
                if ownership_first {
                    select.and_where(owned.clone());
                }
                apply_search(&mut select, &client, &PEOPLE, backend, &TimeZone::utc()).unwrap();
                if !ownership_first {
                    select.and_where(owned);
                }
                let rows = db.query_all(&select).await.unwrap();
                let found: Vec<i64> =
                    rows.iter().map(|row| row.try_get("", people::Column::Id.as_str()).unwrap()).collect();
                assert_eq!(found, expected, "ownership first: {ownership_first}");
            }
        }

        // injection-looking values are values: they match nothing and drop nothing.
        assert_eq!(people(vec![eq("firstname", text(INJECTION))]).await, Vec::<i64>::new());
        assert_eq!(people(vec![like("firstname", INJECTION)]).await, Vec::<i64>::new());
        assert_eq!(people(vec![ilike("nickname", INJECTION)]).await, Vec::<i64>::new());
        assert_eq!(people(vec![any("teams", eq("name", text("x\"); DROP TABLE teams; --")))]).await, Vec::<i64>::new());
        assert_eq!(people(vec![eq("firstname", text("O'Brien"))]).await, [5]);
        assert_eq!(people(vec![]).await, [1, 2, 3, 4, 5, 6]);
        assert_eq!(teams(vec![]).await, [1, 2, 3]);
    }

    #[tokio::test]
    async fn filters_run_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/filter.db?mode=rwc", dir.path().display());
        let db = Database::connect(&url).await.unwrap();
        exercise(&db, Backend::Sqlite).await;
        db.close().await.unwrap();
    }

    #[tokio::test]
    async fn filters_run_on_postgres() {
        let database = crate::testing::PostgresDatabase::create("filter_test");
        let db = Database::connect(&database.url()).await.unwrap();
        exercise(&db, Backend::Postgres).await;
        db.close().await.unwrap();
    }
}
