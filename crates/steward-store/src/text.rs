//! Text built in SQL from two columns, alike on SQLite and PostgreSQL.

use sea_orm::sea_query::{BinOper, Expr, ExprTrait};

/// `left || 'separator' || right`: both backends' concatenation (`CONCAT` is not SQLite's
/// before 3.44). The separator is written into the SQL as a literal, not bound.
pub(crate) fn joined(left: Expr, separator: &'static str, right: Expr) -> Expr {
    let concatenate = BinOper::Custom("||");
    left.binary(concatenate, Expr::Constant(separator.into())).binary(concatenate, right)
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
