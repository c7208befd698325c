//! Django's `filters` query parameter: JSON mapping field → lookup → value, parsed into the
//! model's filter tree (the same one Janua's `q` makes), which the store checks against its
//! allow-lists and binds. A `a__b` field tests field `b` of relation `a`; a date transform
//! (`created_on__year`) may end the path. Task type values
//! accept every synonym, and are compared as the seed's names Steward stores.

use serde_json::{Map, Value};
use steward_model::filter::{CompareOp, DatePart, Filter, FilterValue, Search};
use steward_model::workflow::TaskType;

/// Which list is filtered: its relations' kinds decide between Django's to-one and to-many
/// tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// `/v1/tasks`: `action`, `token` and `notification` are to-many.
    Tasks,
    /// `/v1/tokens`: `task` is to-one.
    Tokens,
    /// `/v1/notifications`: `task` is to-one.
    Notifications,
}

/// The wording of every malformed `filters`.
pub const BADLY_FORMATTED: &str = "Filters incorrectly formatted. Required format: {'filters': {'fieldname': { 'operation': 'value'}}";

/// Django 1.11's lookups that Steward serves (and the date transforms, in [`DatePart`]).
const LOOKUPS: [&str; 17] = [
    "exact", "iexact", "contains", "icontains", "in", "gt", "gte", "lt", "lte", "startswith", "istartswith", "endswith", "iendswith", "range", "isnull",
    "regex", "iregex",
];

/// Parses `raw` (the parameter's value; `None` or empty for no filter).
pub fn parse(raw: Option<&str>, listing: Listing) -> Result<Search, String> {
    let Some(raw) = raw.filter(|raw| !raw.trim().is_empty()) else {
        return Ok(Search::default());
    };
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(raw) else {
        return Err(BADLY_FORMATTED.to_owned());
    };
    let mut filters = Vec::new();
    for (field, lookups) in &fields {
        let Value::Object(lookups) = lookups else {
            return Err(BADLY_FORMATTED.to_owned());
        };
        filters.extend(field_filters(field, lookups, listing)?);
    }
    Search::new(filters, Vec::new(), None, None, false).map_err(|error| error.to_string())
}

fn field_filters(path: &str, lookups: &Map<String, Value>, listing: Listing) -> Result<Vec<Filter>, String> {
    let mut parts: Vec<&str> = path.split("__").collect();
    // A date transform ends the path: `created_on__year`, `task__created_on__date`.
    let transform = match parts.as_slice() {
        [.., _, last] => DatePart::parse(last),
        _ => None,
    };
    if transform.is_some() {
        parts.pop();
    }
    if parts.len() > 2 || parts.iter().any(|part| part.is_empty()) {
        let last = parts.last().copied().unwrap_or_default();
        let first = parts.first().copied().unwrap_or_default();
        return Err(format!("Unsupported lookup '{last}' for field '{first}' or join on the field not permitted."));
    }
    let field = parts.pop().unwrap_or_default().to_owned();
    let relation = parts.pop().map(str::to_owned);
    let mut filters = Vec::new();
    for (lookup, value) in lookups {
        let shown = format!("{path}__{lookup}");
        let value = if field == "task_type" { synonym(value) } else { value.clone() };
        let filter = match transform {
            Some(part) => part_filter(&field, part, lookup, &value, &shown)?,
            None => lookup_filter(&field, lookup, &value, &shown)?,
        };
        filters.push(match &relation {
            None => filter,
            Some(relation) => {
                let to_many = listing == Listing::Tasks;
                if to_many {
                    Filter::Any { relation: relation.clone(), filter: Box::new(filter) }
                } else {
                    Filter::Has { relation: relation.clone(), filter: Box::new(filter) }
                }
            }
        });
    }
    Ok(filters)
}

/// The comparison a lookup names (`exact`, `gt`, `gte`, `lt`, `lte`).
fn comparison(lookup: &str) -> Option<CompareOp> {
    Some(match lookup {
        "exact" => CompareOp::Eq,
        "gt" => CompareOp::Gt,
        "gte" => CompareOp::Ge,
        "lt" => CompareOp::Lt,
        "lte" => CompareOp::Le,
        _ => return None,
    })
}

/// A lookup on a date transform: comparisons, `in` and `range`.
fn part_filter(field: &str, part: DatePart, lookup: &str, value: &Value, shown: &str) -> Result<Filter, String> {
    let compare = |op: CompareOp, value: &Value| -> Result<Filter, String> {
        Ok(Filter::DatePart { field: field.to_owned(), part, op, value: literal(value, shown)? })
    };
    if let Some(op) = comparison(lookup) {
        return compare(op, value);
    }
    Ok(match lookup {
        "in" => match value {
            Value::Array(items) => Filter::Or(items.iter().map(|item| compare(CompareOp::Eq, item)).collect::<Result<_, _>>()?),
            _ => return Err(format!("Invalid value for {shown}: expected a list.")),
        },
        "range" => match value.as_array().map(Vec::as_slice) {
            Some([low, high]) => Filter::And(vec![compare(CompareOp::Ge, low)?, compare(CompareOp::Le, high)?]),
            _ => return Err(format!("Invalid value for {shown}: expected a list of two values.")),
        },
        other => return Err(format!("Unsupported lookup '{other}' for a date part of '{field}'.")),
    })
}

/// A task type value as stored: the seed's name of whatever synonym was given.
fn synonym(value: &Value) -> Value {
    match value {
        Value::String(name) => Value::String(TaskType::parse(name).map_or_else(|| name.clone(), |kind| kind.as_str().to_owned())),
        Value::Array(items) => Value::Array(items.iter().map(synonym).collect()),
        other => other.clone(),
    }
}

fn literal(value: &Value, shown: &str) -> Result<FilterValue, String> {
    Ok(match value {
        Value::Null => FilterValue::Null,
        Value::Bool(flag) => FilterValue::Bool(*flag),
        Value::Number(number) => match number.as_i64() {
            Some(integer) => FilterValue::Integer(integer),
            None => FilterValue::Float(number.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(text) => FilterValue::Text(text.clone()),
        Value::Array(_) | Value::Object(_) => return Err(format!("Invalid value for {shown}: expected a single value, not a list or an object.")),
    })
}

fn text(value: &Value, shown: &str) -> Result<String, String> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number.to_string()),
        _ => Err(format!("Invalid value for {shown}: expected a string.")),
    }
}

/// `%`, `_` and `\` made literal in a LIKE pattern.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(character);
    }
    out
}

fn lookup_filter(field: &str, lookup: &str, value: &Value, shown: &str) -> Result<Filter, String> {
    let like = |pattern: String, case_insensitive: bool| Filter::Like { field: field.to_owned(), pattern, case_insensitive };
    let compare = |op: CompareOp, value: &Value| -> Result<Filter, String> {
        match literal(value, shown)? {
            FilterValue::Null if op == CompareOp::Eq => Ok(Filter::IsNull { field: field.to_owned(), negated: false }),
            literal => Ok(Filter::Compare { field: field.to_owned(), op, value: literal }),
        }
    };
    if let Some(op) = comparison(lookup) {
        return compare(op, value);
    }
    Ok(match lookup {
        "iexact" => like(escaped(&text(value, shown)?), true),
        "contains" => like(format!("%{}%", escaped(&text(value, shown)?)), false),
        "icontains" => like(format!("%{}%", escaped(&text(value, shown)?)), true),
        "startswith" => like(format!("{}%", escaped(&text(value, shown)?)), false),
        "istartswith" => like(format!("{}%", escaped(&text(value, shown)?)), true),
        "endswith" => like(format!("%{}", escaped(&text(value, shown)?)), false),
        "iendswith" => like(format!("%{}", escaped(&text(value, shown)?)), true),
        "in" => {
            let Value::Array(items) = value else {
                return Err(format!("Invalid value for {shown}: expected a list."));
            };
            let values = items.iter().map(|item| literal(item, shown)).collect::<Result<Vec<_>, _>>()?;
            Filter::In { field: field.to_owned(), values, negated: false }
        }
        "range" => match value.as_array().map(Vec::as_slice) {
            Some([low, high]) => Filter::And(vec![compare(CompareOp::Ge, low)?, compare(CompareOp::Le, high)?]),
            _ => return Err(format!("Invalid value for {shown}: expected a list of two values.")),
        },
        "regex" | "iregex" => Filter::Regex { field: field.to_owned(), pattern: text(value, shown)?, case_insensitive: lookup == "iregex" },
        "isnull" => match value {
            Value::Bool(null) => Filter::IsNull { field: field.to_owned(), negated: !null },
            _ => return Err(format!("Invalid value for {shown}: expected true or false.")),
        },
        other if !LOOKUPS.contains(&other) => {
            return Err(format!("Unsupported lookup '{other}' for field '{field}' or join on the field not permitted."));
        }
        other => return Err(format!("Unsupported lookup '{other}'.")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lookup_per_field_and_relations_by_listing() {
        let search = parse(Some(r#"{"task_type": {"exact": "create_project_and_user"}, "task__uuid": {"in": ["a", "b"]}}"#), Listing::Tokens).unwrap();
        assert_eq!(search.filters().len(), 2);
        assert!(search.filters().contains(&Filter::Compare {
            field: "task_type".into(),
            op: CompareOp::Eq,
            value: FilterValue::Text("signup".into())
        }));
        assert!(search.filters().iter().any(|filter| matches!(filter, Filter::Has { relation, .. } if relation == "task")));
        let tasks = parse(Some(r#"{"action__action_name": {"exact": "X"}}"#), Listing::Tasks).unwrap();
        assert!(matches!(&tasks.filters()[0], Filter::Any { .. }));
    }

    #[test]
    fn malformed_filters_are_refused_with_upstream_words() {
        for raw in ["not json", "[1]", r#"{"task_type": ["exact", "x"]}"#, "'x'"] {
            assert_eq!(parse(Some(raw), Listing::Tasks).unwrap_err(), BADLY_FORMATTED, "{raw}");
        }
        assert!(parse(Some(r#"{"uuid": {"dont_find": "x"}}"#), Listing::Tasks).unwrap_err().contains("dont_find"));
        assert!(parse(Some(r#"{"uuid": {"in": "abc"}}"#), Listing::Tasks).unwrap_err().starts_with("Invalid value for uuid__in"));
        assert_eq!(parse(Some(""), Listing::Tasks).unwrap(), Search::default());
        assert_eq!(parse(Some("{}"), Listing::Tasks).unwrap(), Search::default());
    }

    #[test]
    fn transforms_and_regular_expressions() {
        let search = parse(Some(r#"{"created_on__year": {"gte": 2017}, "uuid": {"iregex": "^ab"}}"#), Listing::Tasks).unwrap();
        assert!(search.filters().contains(&Filter::DatePart { field: "created_on".into(), part: DatePart::Year, op: CompareOp::Ge, value: FilterValue::Integer(2017) }));
        assert!(search.filters().contains(&Filter::Regex { field: "uuid".into(), pattern: "^ab".into(), case_insensitive: true }));
        let related = parse(Some(r#"{"task__created_on__date": {"exact": "2017-08-30"}}"#), Listing::Tokens).unwrap();
        assert!(matches!(&related.filters()[0], Filter::Has { relation, filter } if relation == "task" && matches!(**filter, Filter::DatePart { part: DatePart::Date, .. })));
        assert!(parse(Some(r#"{"created_on__year": {"contains": "7"}}"#), Listing::Tasks).unwrap_err().contains("contains"));
    }

    #[test]
    fn wildcards_in_values_are_data() {
        let search = parse(Some(r#"{"uuid": {"contains": "50%_off\\"}}"#), Listing::Tasks).unwrap();
        assert_eq!(search.filters()[0], Filter::Like { field: "uuid".into(), pattern: "%50\\%\\_off\\\\%".into(), case_insensitive: false });
    }
}
