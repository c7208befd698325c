//! The Flask-Restless 0.17 `q` search parameter (janua.md §4.3), parsed into Steward's
//! dialect-neutral [`Search`]; the store, not this file, maps field names onto columns.
//!
//! What 0.17 accepted is accepted here, with these choices where it crashed or was vague:
//! - `q` that is not JSON is [`SearchError::Undecodable`] (400 "Unable to decode data");
//!   every other mistake is [`SearchError::Unconstructible`] (400 "Unable to construct
//!   query"), including a `q` that is JSON but not an object and `filters` that is not a list
//!   (both 500s in the original).
//! - `<relation>__<field>` names (one `__` only) are relation tests: with `has`/`any` and a
//!   plain `val` they compare the related field for equality, as 0.17 did. With any other
//!   operator 0.17 compared the relation itself and failed; Steward refuses them with a
//!   detail pointing at `any`/`has`. With `has`/`any` and a filter object in `val`, the
//!   `__<field>` part is ignored, as in 0.17.
//! - The filter object inside `has`/`any` may be anything a top-level filter may be
//!   (`or`/`and`, further relation tests): a superset of 0.17, which only took
//!   `{"name", "op", "val"}` there.
//! - `{"name", "op", "field"}` compares two fields of the row; only the comparison operators
//!   make sense there, the others are refused. When both `field` and `val` are given,
//!   `field` wins, as in 0.17.
//! - A filter object with `or` is a disjunction whatever else it holds, then one with `and`
//!   a conjunction (0.17's order). An empty `or` matches nothing, an empty `and` everything.
//! - `is_null` / `is_not_null` ignore `val`; every other operator refuses a missing or null
//!   `val`, and `in`/`not_in` refuse a null inside the list (it never matches).
//! - `group_by` is parsed and refused when non-empty: grouping whole rows had no meaning on
//!   PostgreSQL and silently dropped rows on SQLite, so a clear 400 beats a quiet guess.
//! - `limit` and `offset` must be non-negative integers; 0 means "not set", as in 0.17 (which
//!   tested them for truth). `single` must be a boolean. `null` means "not set" for all three.
//! - Unknown keys are ignored in `q` and in filter objects (0.17 read them with `get`), but
//!   refused in `order_by` items (0.17 passed them to a constructor, which raised).

use axum::http::StatusCode;
use serde_json::{Map, Value};
use steward_model::filter::{CompareOp, Filter, FilterError, FilterValue, OrderBy, Search};

use crate::envelope::RestError;

/// Why a `q` parameter was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// `q` is not JSON at all: 400 `{"message": "Unable to decode data"}`.
    #[error("q is not valid JSON: {0}")]
    Undecodable(String),
    /// `q` is JSON but not a search Steward can run: 400
    /// `{"message": "Unable to construct query"}`. The text is a detail for a person.
    #[error("{0}")]
    Unconstructible(String),
}

impl SearchError {
    /// The original's message for a `q` that is not JSON.
    pub const UNDECODABLE: &'static str = "Unable to decode data";
    /// The original's message for every other refusal.
    pub const UNCONSTRUCTIBLE: &'static str = "Unable to construct query";

    /// The fixed message Flask-Restless answered with, which clients compare.
    pub fn message(&self) -> &'static str {
        match self {
            Self::Undecodable(_) => Self::UNDECODABLE,
            Self::Unconstructible(_) => Self::UNCONSTRUCTIBLE,
        }
    }
}

impl From<FilterError> for SearchError {
    /// A limit the AST enforces, or a field or value the store refused: both are queries
    /// that cannot be constructed.
    fn from(error: FilterError) -> Self {
        Self::Unconstructible(error.to_string())
    }
}

impl From<SearchError> for RestError {
    fn from(error: SearchError) -> Self {
        let detail = error.to_string();
        RestError::new(StatusCode::BAD_REQUEST, error.message()).with_detail(detail)
    }
}

/// Parses the `q` parameter when present; without it the search is "everything".
pub fn parse_optional_q(q: Option<&str>) -> Result<Search, SearchError> {
    q.map_or_else(|| Ok(Search::default()), parse_q)
}

/// Parses the (already URL-decoded) text of a `q` parameter.
pub fn parse_q(q: &str) -> Result<Search, SearchError> {
    let document: Value = serde_json::from_str(q).map_err(|error| SearchError::Undecodable(error.to_string()))?;
    let Value::Object(document) = document else {
        return Err(refuse("q must be a JSON object, such as {\"filters\": [...]}"));
    };
    let filters = match document.get("filters") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(parse_filter).collect::<Result<_, _>>()?,
        Some(_) => return Err(refuse("'filters' must be a list of filter objects")),
    };
    let order_by = match document.get("order_by") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(parse_order_by).collect::<Result<_, _>>()?,
        Some(_) => return Err(refuse("'order_by' must be a list of {\"field\": …, \"direction\": …} objects")),
    };
    match document.get("group_by") {
        None => {}
        Some(Value::Array(items)) if items.is_empty() => {}
        Some(Value::Array(_)) => {
            return Err(refuse("group_by is not supported: the API returns whole rows, which cannot be grouped"));
        }
        Some(_) => return Err(refuse("'group_by' must be a list")),
    }
    let limit = parse_count(&document, "limit")?;
    let offset = parse_count(&document, "offset")?;
    let single = match document.get("single") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(single)) => *single,
        Some(_) => return Err(refuse("'single' must be true or false")),
    };
    Ok(Search::new(filters, order_by, limit, offset, single)?)
}

/// An Unconstructible error with `detail`.
fn refuse(detail: impl Into<String>) -> SearchError {
    SearchError::Unconstructible(detail.into())
}

/// `limit` or `offset`: a non-negative integer, with 0 and null meaning "not set".
fn parse_count(document: &Map<String, Value>, key: &str) -> Result<Option<u64>, SearchError> {
    match document.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => match number.as_u64() {
            Some(0) => Ok(None),
            Some(count) => Ok(Some(count)),
            None => Err(refuse(format!("'{key}' must be a non-negative integer, not {number}"))),
        },
        Some(other) => Err(refuse(format!("'{key}' must be a non-negative integer, not {}", json_kind(other)))),
    }
}

/// What 0.17 called an operator, grouped by what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    /// `==`, `<`, … and their synonyms.
    Compare(CompareOp),
    /// `like` (case-sensitive) or `ilike`.
    Like { case_insensitive: bool },
    /// `in` or `not_in`.
    In { negated: bool },
    /// `is_null` or `is_not_null`.
    IsNull { negated: bool },
    /// `has` (to-one).
    Has,
    /// `any` (to-many).
    Any,
}

/// Every operator name Flask-Restless 0.17 accepted, plus `equals_to`, which its
/// documentation spells for `equal_to`.
fn operator(name: &str) -> Option<Operator> {
    let operator = match name {
        "==" | "eq" | "equals" | "equal_to" | "equals_to" => Operator::Compare(CompareOp::Eq),
        "!=" | "ne" | "neq" | "not_equal_to" | "does_not_equal" => Operator::Compare(CompareOp::Ne),
        ">" | "gt" => Operator::Compare(CompareOp::Gt),
        "<" | "lt" => Operator::Compare(CompareOp::Lt),
        ">=" | "ge" | "gte" | "geq" => Operator::Compare(CompareOp::Ge),
        "<=" | "le" | "lte" | "leq" => Operator::Compare(CompareOp::Le),
        "like" => Operator::Like { case_insensitive: false },
        "ilike" => Operator::Like { case_insensitive: true },
        "in" => Operator::In { negated: false },
        "not_in" => Operator::In { negated: true },
        "is_null" => Operator::IsNull { negated: false },
        "is_not_null" => Operator::IsNull { negated: true },
        "has" => Operator::Has,
        "any" => Operator::Any,
        _ => return None,
    };
    Some(operator)
}

/// A filter name split at its `__`: the model's own field, or a relation and its field.
enum FieldName<'a> {
    /// `firstname`.
    Own(&'a str),
    /// `groups__name`.
    Related { relation: &'a str, field: &'a str },
}

fn split_name(name: &str) -> Result<FieldName<'_>, SearchError> {
    let mut parts = name.split("__");
    let (first, second, rest) = (parts.next(), parts.next(), parts.next());
    match (first, second, rest) {
        (Some(field), None, _) if !field.is_empty() => Ok(FieldName::Own(field)),
        (Some(relation), Some(field), None) if !relation.is_empty() && !field.is_empty() => {
            Ok(FieldName::Related { relation, field })
        }
        (_, _, Some(_)) => Err(refuse(format!(
            "'{name}' holds more than one '__': name one relation this way, and nest a filter object \
             in 'val' to go further"
        ))),
        _ => Err(refuse(format!("'{name}' is not a field name"))),
    }
}

/// One element of `filters` (or of an `or`/`and` list, or a `has`/`any` value).
fn parse_filter(value: &Value) -> Result<Filter, SearchError> {
    let Value::Object(object) = value else {
        return Err(refuse(format!(
            "each filter must be an object with 'name', 'op' and 'val' (or 'or'/'and'), not {}",
            json_kind(value)
        )));
    };
    if let Some(members) = object.get("or") {
        return Ok(Filter::Or(parse_junction("or", members)?));
    }
    if let Some(members) = object.get("and") {
        return Ok(Filter::And(parse_junction("and", members)?));
    }
    let name = match object.get("name") {
        Some(Value::String(name)) => name.as_str(),
        None | Some(Value::Null) => return Err(refuse("a filter needs a 'name': the field it tests")),
        Some(other) => return Err(refuse(format!("a filter's 'name' must be a string, not {}", json_kind(other)))),
    };
    let op_name = match object.get("op") {
        Some(Value::String(op_name)) => op_name.as_str(),
        None | Some(Value::Null) => return Err(refuse(format!("the filter on '{name}' needs an 'op'"))),
        Some(other) => {
            return Err(refuse(format!(
                "the 'op' of the filter on '{name}' must be a string, not {}",
                json_kind(other)
            )));
        }
    };
    let Some(operator) = operator(op_name) else {
        return Err(refuse(format!("unknown operator '{op_name}' in the filter on '{name}'")));
    };
    let field_name = split_name(name)?;
    if let Some(other) = object.get("field").filter(|other| !other.is_null()) {
        return parse_field_comparison(name, field_name, op_name, operator, other);
    }
    let value = object.get("val").filter(|value| !value.is_null());
    match (operator, field_name) {
        (Operator::Has | Operator::Any, field_name) => parse_relation_test(name, op_name, operator, field_name, value),
        (_, FieldName::Related { relation, .. }) => Err(refuse(format!(
            "'{name}' names a field of the relation '{relation}': test it with op 'any' (to-many) or 'has' (to-one)"
        ))),
        (Operator::IsNull { negated }, FieldName::Own(field)) => {
            Ok(Filter::IsNull { field: field.to_owned(), negated })
        }
        (_, FieldName::Own(field)) => {
            let Some(value) = value else {
                return Err(refuse(format!(
                    "op '{op_name}' on '{field}' needs a 'val'; to test for null use is_null or is_not_null"
                )));
            };
            parse_binary(field, op_name, operator, value)
        }
    }
}

/// The list of an `or` / `and` object.
fn parse_junction(key: &str, members: &Value) -> Result<Vec<Filter>, SearchError> {
    let Value::Array(members) = members else {
        return Err(refuse(format!("'{key}' must be a list of filters, not {}", json_kind(members))));
    };
    members.iter().map(parse_filter).collect()
}

/// `{"name": field, "op": compare, "val": value}` and the other binary operators on a field of
/// the model itself; `value` is not null.
fn parse_binary(field: &str, op_name: &str, operator: Operator, value: &Value) -> Result<Filter, SearchError> {
    let field = field.to_owned();
    match operator {
        Operator::Compare(op) => Ok(Filter::Compare { value: scalar(&field, op_name, value)?, field, op }),
        Operator::Like { case_insensitive } => match value {
            Value::String(pattern) => Ok(Filter::Like { field, pattern: pattern.clone(), case_insensitive }),
            other => {
                Err(refuse(format!("op '{op_name}' on '{field}' needs a string pattern, not {}", json_kind(other))))
            }
        },
        Operator::In { negated } => {
            let Value::Array(items) = value else {
                return Err(refuse(format!(
                    "op '{op_name}' on '{field}' needs a list in 'val', not {}",
                    json_kind(value)
                )));
            };
            let values = items
                .iter()
                .map(|item| match item {
                    Value::Null => Err(refuse(format!(
                        "the list of op '{op_name}' on '{field}' holds null, which never matches; use is_null"
                    ))),
                    item => scalar(&field, op_name, item),
                })
                .collect::<Result<_, _>>()?;
            Ok(Filter::In { field, values, negated })
        }
        // Handled by the caller, which never passes them here.
        Operator::IsNull { negated } => Ok(Filter::IsNull { field, negated }),
        Operator::Has | Operator::Any => Err(refuse(format!("op '{op_name}' on '{field}' needs a relation"))),
    }
}

/// `has` / `any`: a nested filter object, or a plain value compared with `relation__field`.
fn parse_relation_test(
    name: &str,
    op_name: &str,
    operator: Operator,
    field_name: FieldName<'_>,
    value: Option<&Value>,
) -> Result<Filter, SearchError> {
    let (relation, field) = match field_name {
        FieldName::Own(relation) => (relation, None),
        FieldName::Related { relation, field } => (relation, Some(field)),
    };
    let inner = match (value, field) {
        (None, _) => {
            return Err(refuse(format!("op '{op_name}' on '{name}' needs a filter object or a value in 'val'")));
        }
        (Some(nested @ Value::Object(_)), _) => parse_filter(nested)?,
        (Some(value), Some(field)) => {
            Filter::Compare { field: field.to_owned(), op: CompareOp::Eq, value: scalar(name, op_name, value)? }
        }
        (Some(_), None) => {
            return Err(refuse(format!(
                "op '{op_name}' on '{relation}' needs a filter object in 'val', or a name such as \
                 '{relation}__<field>' to compare a plain value with"
            )));
        }
    };
    let relation = relation.to_owned();
    let filter = Box::new(inner);
    Ok(if operator == Operator::Has { Filter::Has { relation, filter } } else { Filter::Any { relation, filter } })
}

/// `{"name": field, "op": compare, "field": other}`.
fn parse_field_comparison(
    name: &str,
    field_name: FieldName<'_>,
    op_name: &str,
    operator: Operator,
    other: &Value,
) -> Result<Filter, SearchError> {
    let Operator::Compare(op) = operator else {
        return Err(refuse(format!(
            "'field' compares two fields and only works with ==, !=, >, <, >= and <=, not '{op_name}'"
        )));
    };
    let FieldName::Own(field) = field_name else {
        return Err(refuse(format!("'{name}' names a related field, which cannot be compared with another field")));
    };
    let Value::String(other) = other else {
        return Err(refuse(format!(
            "the 'field' of the filter on '{name}' must be a string, not {}",
            json_kind(other)
        )));
    };
    let FieldName::Own(other) = split_name(other)? else {
        return Err(refuse(format!("'{other}' names a related field, which cannot be compared with '{name}'")));
    };
    Ok(Filter::CompareFields { field: field.to_owned(), op, other: other.to_owned() })
}

/// A single JSON value as a filter literal (not a list or an object).
fn scalar(field: &str, op_name: &str, value: &Value) -> Result<FilterValue, SearchError> {
    match value {
        Value::Null => Ok(FilterValue::Null),
        Value::Bool(flag) => Ok(FilterValue::Bool(*flag)),
        Value::Number(number) => {
            number.as_i64().map(FilterValue::Integer).or_else(|| number.as_f64().map(FilterValue::Float)).ok_or_else(
                || refuse(format!("the number {number} given to op '{op_name}' on '{field}' is out of range")),
            )
        }
        Value::String(text) => Ok(FilterValue::Text(text.clone())),
        Value::Array(_) | Value::Object(_) => {
            Err(refuse(format!("op '{op_name}' on '{field}' needs a single value, not {}", json_kind(value))))
        }
    }
}

/// One element of `order_by`: `{"field": name, "direction": "asc" | "desc"}`.
fn parse_order_by(value: &Value) -> Result<OrderBy, SearchError> {
    let Value::Object(object) = value else {
        return Err(refuse(format!("each 'order_by' item must be an object with 'field', not {}", json_kind(value))));
    };
    if let Some(key) = object.keys().find(|key| !matches!(key.as_str(), "field" | "direction")) {
        return Err(refuse(format!("an 'order_by' item takes 'field' and 'direction', not '{key}'")));
    }
    let name = match object.get("field") {
        Some(Value::String(name)) => name.as_str(),
        None | Some(Value::Null) => return Err(refuse("an 'order_by' item needs a 'field'")),
        Some(other) => return Err(refuse(format!("an 'order_by' field must be a string, not {}", json_kind(other)))),
    };
    let descending = match object.get("direction") {
        None => false,
        Some(Value::String(direction)) if direction == "asc" => false,
        Some(Value::String(direction)) if direction == "desc" => true,
        Some(other) => {
            return Err(refuse(format!("the direction of '{name}' must be \"asc\" or \"desc\", not {other}")));
        }
    };
    Ok(match split_name(name)? {
        FieldName::Own(field) => OrderBy { relation: None, field: field.to_owned(), descending },
        FieldName::Related { relation, field } => {
            OrderBy { relation: Some(relation.to_owned()), field: field.to_owned(), descending }
        }
    })
}

/// A JSON value's kind, for messages.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;
    use serde_json::json;

    fn parse(q: Value) -> Result<Search, SearchError> {
        parse_q(&q.to_string())
    }

    fn only_filter(q: Value) -> Filter {
        let search = parse(q).unwrap();
        assert_eq!(search.filters().len(), 1);
        search.filters()[0].clone()
    }

    fn one(name: &str, op: &str, val: Value) -> Filter {
        only_filter(json!({"filters": [{"name": name, "op": op, "val": val}]}))
    }

    /// The detail of an Unconstructible refusal; fails on anything else.
    fn refusal(q: Value) -> String {
        match parse(q) {
            Err(SearchError::Unconstructible(detail)) => detail,
            other => panic!("expected Unconstructible, got {other:?}"),
        }
    }

    fn text(value: &str) -> FilterValue {
        FilterValue::Text(value.into())
    }

    #[test]
    fn every_comparison_name_and_synonym() {
        let names: [(&[&str], CompareOp); 6] = [
            (&["==", "eq", "equals", "equal_to", "equals_to"], CompareOp::Eq),
            (&["!=", "ne", "neq", "not_equal_to", "does_not_equal"], CompareOp::Ne),
            (&[">", "gt"], CompareOp::Gt),
            (&["<", "lt"], CompareOp::Lt),
            (&[">=", "ge", "gte", "geq"], CompareOp::Ge),
            (&["<=", "le", "lte", "leq"], CompareOp::Le),
        ];
        for (synonyms, op) in names {
            for name in synonyms {
                assert_eq!(
                    one("age", name, json!(30)),
                    Filter::Compare { field: "age".into(), op, value: FilterValue::Integer(30) },
                    "operator {name}"
                );
            }
        }
    }

    #[test]
    fn values_keep_their_json_type() {
        assert_eq!(
            one("a", "eq", json!("x")),
            Filter::Compare { field: "a".into(), op: CompareOp::Eq, value: text("x") }
        );
        assert_eq!(
            one("a", "eq", json!(true)),
            Filter::Compare { field: "a".into(), op: CompareOp::Eq, value: FilterValue::Bool(true) }
        );
        assert_eq!(
            one("a", "lt", json!(2.5)),
            Filter::Compare { field: "a".into(), op: CompareOp::Lt, value: FilterValue::Float(2.5) }
        );
        assert_eq!(
            one("a", "gt", json!(-7)),
            Filter::Compare { field: "a".into(), op: CompareOp::Gt, value: FilterValue::Integer(-7) }
        );
        assert_eq!(
            one("a", "lt", json!(u64::MAX)),
            Filter::Compare { field: "a".into(), op: CompareOp::Lt, value: FilterValue::Float(u64::MAX as f64) }
        );
    }

    #[test]
    fn like_and_ilike() {
        assert_eq!(
            one("firstname", "like", json!("J%")),
            Filter::Like { field: "firstname".into(), pattern: "J%".into(), case_insensitive: false }
        );
        assert_eq!(
            one("firstname", "ilike", json!("j_ne")),
            Filter::Like { field: "firstname".into(), pattern: "j_ne".into(), case_insensitive: true }
        );
    }

    #[test]
    fn in_and_not_in() {
        assert_eq!(
            one("id", "in", json!([1, 2, "3"])),
            Filter::In {
                field: "id".into(),
                values: vec![FilterValue::Integer(1), FilterValue::Integer(2), text("3")],
                negated: false
            }
        );
        assert_eq!(one("id", "not_in", json!([])), Filter::In { field: "id".into(), values: vec![], negated: true });
    }

    #[test]
    fn null_tests_ignore_val() {
        assert_eq!(
            only_filter(json!({"filters": [{"name": "description", "op": "is_null"}]})),
            Filter::IsNull { field: "description".into(), negated: false }
        );
        assert_eq!(
            one("description", "is_not_null", json!("ignored")),
            Filter::IsNull { field: "description".into(), negated: true }
        );
    }

    #[test]
    fn any_and_has_with_a_plain_value_compare_the_named_field() {
        assert_eq!(
            one("groups__name", "any", json!("MESO")),
            Filter::Any {
                relation: "groups".into(),
                filter: Box::new(Filter::Compare { field: "name".into(), op: CompareOp::Eq, value: text("MESO") })
            }
        );
        assert_eq!(
            one("admin__login", "has", json!("sup1")),
            Filter::Has {
                relation: "admin".into(),
                filter: Box::new(Filter::Compare { field: "login".into(), op: CompareOp::Eq, value: text("sup1") })
            }
        );
    }

    #[test]
    fn any_and_has_with_a_filter_object_nest_any_filter() {
        assert_eq!(
            one("groups", "any", json!({"name": "name", "op": "like", "val": "M%"})),
            Filter::Any {
                relation: "groups".into(),
                filter: Box::new(Filter::Like { field: "name".into(), pattern: "M%".into(), case_insensitive: false })
            }
        );
        // 0.17 ignored the `__field` part when val is an object.
        assert_eq!(
            one("admin__ignored", "has", json!({"or": [{"name": "level", "op": "eq", "val": 1}]})),
            Filter::Has {
                relation: "admin".into(),
                filter: Box::new(Filter::Or(vec![Filter::Compare {
                    field: "level".into(),
                    op: CompareOp::Eq,
                    value: FilterValue::Integer(1)
                }]))
            }
        );
        assert_eq!(
            one("groups", "any", json!({"name": "actions__name", "op": "any", "val": "echo"})),
            Filter::Any {
                relation: "groups".into(),
                filter: Box::new(Filter::Any {
                    relation: "actions".into(),
                    filter: Box::new(Filter::Compare { field: "name".into(), op: CompareOp::Eq, value: text("echo") })
                })
            }
        );
    }

    #[test]
    fn comparing_two_fields() {
        assert_eq!(
            only_filter(json!({"filters": [{"name": "firstname", "op": "!=", "field": "name", "val": "ignored"}]})),
            Filter::CompareFields { field: "firstname".into(), op: CompareOp::Ne, other: "name".into() }
        );
    }

    #[test]
    fn or_and_nest_and_or_wins_over_and() {
        let search = parse(json!({"filters": [
            {"or": [
                {"name": "name", "op": "eq", "val": "Doe"},
                {"and": [{"name": "id", "op": ">", "val": 1}, {"name": "id", "op": "<", "val": 9}]}
            ]},
            {"and": []},
            {"or": [], "and": [{"name": "id", "op": "eq", "val": 1}]}
        ]}))
        .unwrap();
        assert_eq!(
            search.filters(),
            &[
                Filter::Or(vec![
                    Filter::Compare { field: "name".into(), op: CompareOp::Eq, value: text("Doe") },
                    Filter::And(vec![
                        Filter::Compare { field: "id".into(), op: CompareOp::Gt, value: FilterValue::Integer(1) },
                        Filter::Compare { field: "id".into(), op: CompareOp::Lt, value: FilterValue::Integer(9) },
                    ]),
                ]),
                Filter::And(vec![]),
                Filter::Or(vec![]),
            ]
        );
    }

    #[test]
    fn order_limit_offset_single() {
        let search = parse(json!({
            "order_by": [{"field": "name", "direction": "desc"}, {"field": "id"}, {"field": "admin__login", "direction": "asc"}],
            "limit": 5, "offset": 10, "single": true, "group_by": [], "unknown": "ignored"
        }))
        .unwrap();
        assert_eq!(
            search.order_by(),
            &[
                OrderBy { relation: None, field: "name".into(), descending: true },
                OrderBy { relation: None, field: "id".into(), descending: false },
                OrderBy { relation: Some("admin".into()), field: "login".into(), descending: false },
            ]
        );
        assert_eq!((search.limit(), search.offset(), search.single()), (Some(5), Some(10), true));
    }

    #[test]
    fn empty_and_absent_mean_everything() {
        assert_eq!(parse_q("{}").unwrap(), Search::default());
        assert_eq!(parse_optional_q(None).unwrap(), Search::default());
        let zeros = parse(json!({"limit": 0, "offset": 0, "single": null, "filters": []})).unwrap();
        assert_eq!(zeros, Search::default());
        let nulls = parse(json!({"limit": null, "offset": null})).unwrap();
        assert_eq!(nulls, Search::default());
    }

    #[test]
    fn not_json_is_undecodable() {
        for q in ["notjson", "", "{\"filters\": [", "{'filters': []}"] {
            let error = parse_q(q).unwrap_err();
            assert!(matches!(error, SearchError::Undecodable(_)), "{q:?} gave {error:?}");
            assert_eq!(error.message(), "Unable to decode data");
        }
        assert!(matches!(parse_optional_q(Some("nope")), Err(SearchError::Undecodable(_))));
    }

    #[test]
    fn json_that_is_not_an_object_is_unconstructible() {
        for q in [json!([]), json!("filters"), json!(3), json!(null)] {
            assert!(refusal(q).contains("JSON object"));
        }
    }

    #[test]
    fn filters_and_their_members_must_have_the_right_shape() {
        assert!(refusal(json!({"filters": {"name": "a"}})).contains("'filters' must be a list"));
        assert!(refusal(json!({"filters": null})).contains("'filters' must be a list"));
        assert!(refusal(json!({"filters": ["name"]})).contains("each filter must be an object"));
        assert!(
            refusal(json!({"filters": [{"or": {"name": "a", "op": "eq", "val": 1}}]})).contains("'or' must be a list")
        );
        assert!(refusal(json!({"filters": [{"and": "x"}]})).contains("'and' must be a list"));
        assert!(refusal(json!({"filters": [{"op": "eq", "val": 1}]})).contains("needs a 'name'"));
        assert!(refusal(json!({"filters": [{"name": 3, "op": "eq", "val": 1}]})).contains("'name' must be a string"));
        assert!(refusal(json!({"filters": [{"name": "a", "val": 1}]})).contains("the filter on 'a' needs an 'op'"));
        assert!(refusal(json!({"filters": [{"name": "a", "op": ["eq"], "val": 1}]})).contains("must be a string"));
    }

    #[test]
    fn unknown_operator_is_named() {
        let detail = refusal(json!({"filters": [{"name": "a", "op": "EQ", "val": 1}]}));
        assert_eq!(detail, "unknown operator 'EQ' in the filter on 'a'");
        assert!(refusal(json!({"filters": [{"name": "a", "op": "contains", "val": 1}]})).contains("'contains'"));
    }

    #[test]
    fn binary_operators_refuse_a_missing_or_null_val() {
        for op in ["eq", "!=", "gt", "like", "ilike", "in", "not_in"] {
            let missing = refusal(json!({"filters": [{"name": "a", "op": op}]}));
            assert!(missing.contains("use is_null"), "{op}: {missing}");
            let null = refusal(json!({"filters": [{"name": "a", "op": op, "val": null}]}));
            assert!(null.contains(&format!("op '{op}' on 'a' needs a 'val'")), "{op}: {null}");
        }
        for op in ["has", "any"] {
            assert!(
                refusal(json!({"filters": [{"name": "groups__name", "op": op}]}))
                    .contains("needs a filter object or a value")
            );
        }
    }

    #[test]
    fn wrong_value_types_are_refused() {
        let cases = [
            (json!({"name": "a", "op": "eq", "val": [1]}), "single value, not a list"),
            (json!({"name": "a", "op": "eq", "val": {"x": 1}}), "single value, not an object"),
            (json!({"name": "a", "op": "like", "val": 5}), "string pattern, not a number"),
            (json!({"name": "a", "op": "in", "val": 5}), "needs a list in 'val', not a number"),
            (json!({"name": "a", "op": "in", "val": [1, null]}), "holds null"),
            (json!({"name": "a", "op": "in", "val": [[1]]}), "single value, not a list"),
            (json!({"name": "groups", "op": "any", "val": "x"}), "'groups__<field>'"),
            (json!({"name": "groups__name", "op": "any", "val": [1]}), "single value, not a list"),
            (json!({"name": "a", "op": "like", "field": "b"}), "only works with ==, !="),
            (json!({"name": "a", "op": "eq", "field": 3}), "'field' of the filter on 'a' must be a string"),
            (json!({"name": "a__b", "op": "eq", "field": "c"}), "'a__b' names a related field"),
            (json!({"name": "a", "op": "eq", "field": "c__d"}), "'c__d' names a related field"),
        ];
        for (filter, expected) in cases {
            let detail = refusal(json!({ "filters": [filter] }));
            assert!(detail.contains(expected), "{filter}: {detail}");
        }
    }

    #[test]
    fn relation_names_only_go_with_any_and_has() {
        let detail = refusal(json!({"filters": [{"name": "groups__name", "op": "eq", "val": "MESO"}]}));
        assert!(detail.contains("'groups__name' names a field of the relation 'groups'"), "{detail}");
        assert!(refusal(json!({"filters": [{"name": "groups__name", "op": "is_null"}]})).contains("op 'any'"));
        for name in ["a__b__c", "__b", "a__", "", "__"] {
            assert!(
                refusal(json!({"filters": [{"name": name, "op": "any", "val": 1}]})).contains(&format!("'{name}'"))
            );
        }
    }

    #[test]
    fn order_by_errors() {
        assert!(refusal(json!({"order_by": {"field": "a"}})).contains("'order_by' must be a list"));
        assert!(refusal(json!({"order_by": ["a"]})).contains("must be an object"));
        assert!(refusal(json!({"order_by": [{"direction": "asc"}]})).contains("needs a 'field'"));
        assert!(refusal(json!({"order_by": [{"field": 1}]})).contains("must be a string"));
        assert!(refusal(json!({"order_by": [{"field": "a", "direction": "up"}]})).contains("\"asc\" or \"desc\""));
        assert!(refusal(json!({"order_by": [{"field": "a", "direction": "DESC"}]})).contains("\"asc\" or \"desc\""));
        assert!(refusal(json!({"order_by": [{"field": "a", "dir": "asc"}]})).contains("not 'dir'"));
        assert!(refusal(json!({"order_by": [{"field": "a__b__c"}]})).contains("more than one '__'"));
    }

    #[test]
    fn group_by_is_refused_unless_empty() {
        assert!(refusal(json!({"group_by": [{"field": "name"}]})).contains("group_by is not supported"));
        assert!(refusal(json!({"group_by": "name"})).contains("'group_by' must be a list"));
    }

    #[test]
    fn limit_offset_and_single_must_have_the_right_type() {
        assert!(refusal(json!({"limit": -1})).contains("'limit' must be a non-negative integer, not -1"));
        assert!(refusal(json!({"limit": 2.5})).contains("'limit'"));
        assert!(refusal(json!({"offset": "3"})).contains("'offset' must be a non-negative integer, not a string"));
        assert!(refusal(json!({"offset": true})).contains("'offset'"));
        assert!(refusal(json!({"single": "yes"})).contains("'single' must be true or false"));
        assert!(refusal(json!({"single": 1})).contains("'single'"));
    }

    #[test]
    fn limits_of_the_ast_are_unconstructible() {
        let deep = (0..9).fold(json!({"name": "a", "op": "eq", "val": 1}), |inner, _| json!({ "and": [inner] }));
        assert!(refusal(json!({ "filters": [deep] })).contains("levels deep"));
        let many: Vec<Value> = (0..65).map(|n| json!({"name": "a", "op": "eq", "val": n})).collect();
        assert!(refusal(json!({ "filters": many })).contains("65 conditions"));
        let long: Vec<i64> = (0..1_001).collect();
        assert!(refusal(json!({"filters": [{"name": "id", "op": "in", "val": long}]})).contains("1001 values"));
    }

    #[test]
    fn errors_become_janua_envelopes() {
        let response = RestError::from(parse_q("notjson").unwrap_err()).into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let rest = RestError::from(SearchError::from(FilterError::UnknownField("password".into())));
        assert_eq!(rest.status, StatusCode::BAD_REQUEST);
        assert_eq!(rest.message, "Unable to construct query");
        assert_eq!(rest.detail.as_deref(), Some("unknown field 'password'"));
    }
}
