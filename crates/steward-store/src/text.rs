//! Text in SQL, alike on SQLite and PostgreSQL: joined from two columns, and searched for a
//! literal piece whatever its case.

use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Func, LikeExpr};

/// `left || 'separator' || right`: both backends' concatenation (`CONCAT` is not SQLite's
/// before 3.44). The separator is written into the SQL as a literal, not bound.
pub(crate) fn joined(left: Expr, separator: &'static str, right: Expr) -> Expr {
    let concatenate = BinOper::Custom("||");
    left.binary(concatenate, Expr::Constant(separator.into())).binary(concatenate, right)
}

/// Appends `character` to a `LIKE` pattern as itself, lower-cased: `%`, `_` and `\` are
/// escaped with `\`.
pub(crate) fn push_literal(pattern: &mut String, character: char) {
    if matches!(character, '%' | '_' | '\\') {
        pattern.push('\\');
    }
    pattern.extend(character.to_lowercase());
}

/// `LOWER(value) LIKE '%needle%' ESCAPE '\'`, bound: `value` contains `needle` whatever the
/// case, with `%` and `_` in `needle` taken literally.
pub(crate) fn contains(value: Expr, needle: &str) -> Expr {
    let mut pattern = String::from("%");
    for character in needle.chars() {
        push_literal(&mut pattern, character);
    }
    pattern.push('%');
    let lowered: Expr = Func::lower(value).into();
    lowered.like(LikeExpr::new(pattern).escape('\\'))
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{PostgresQueryBuilder, Query, SqliteQueryBuilder};

    use super::*;
    use crate::entity::janua_contact;

    #[test]
    fn the_separator_is_a_literal_on_both_backends() {
        let name = joined(
            Expr::col((janua_contact::Entity, janua_contact::Column::Firstname)),
            " ",
            Expr::col((janua_contact::Entity, janua_contact::Column::Name)),
        );
        let select = Query::select().expr(name).from(janua_contact::Entity).take();
        for sql in [select.to_string(SqliteQueryBuilder), select.to_string(PostgresQueryBuilder)] {
            assert!(sql.contains(r#"("janua_contacts"."firstname" || ' ') || "janua_contacts"."name""#), "{sql}");
        }
    }
}
