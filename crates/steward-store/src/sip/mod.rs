//! SIP's rows: users, their phones, the number pool and aliases. Searches are the seed's
//! globs, turned into an escaped, bound `LIKE` on a lower-cased value, the same on SQLite
//! and PostgreSQL.
//!
//! # Layout
//! - `users`: local and remote SIP users.
//! - `phones`: which users a phone carries.
//! - `numbers`: the E.164 pool.
//! - [`aliases`]: aliases and where they lead.

pub mod aliases;
mod numbers;
mod phones;
mod users;


use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SelectStatement, SimpleExpr};
use steward_model::sip::{Glob, GlobPiece, SipAddress};

use crate::StoreError;

pub(super) fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

/// The SIP address in two columns of a row.
pub(super) fn address_in(row: &sea_orm::QueryResult, user: &str, domain: &str) -> Result<SipAddress, StoreError> {
    let text = |column: &str| row.try_get::<String>("", column).map_err(corrupt);
    SipAddress::from_parts(&text(user)?, &text(domain)?).map_err(corrupt)
}

/// `glob` as a `LIKE` pattern with `\` escapes, lower-cased (the searches are
/// case-insensitive).
pub(crate) fn like_pattern(glob: &Glob) -> String {
    let mut pattern = String::new();
    for piece in glob.pieces() {
        match piece {
            GlobPiece::AnyRun => pattern.push('%'),
            GlobPiece::AnyOne => pattern.push('_'),
            GlobPiece::Literal(character) => {
                if matches!(character, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.extend(character.to_lowercase());
            }
        }
    }
    pattern
}

/// `LOWER(value) LIKE pattern ESCAPE '\'`, bound.
pub(super) fn matches(value: SimpleExpr, glob: &Glob) -> SimpleExpr {
    let lowered: SimpleExpr = Func::lower(value).into();
    lowered.like(LikeExpr::new(like_pattern(glob)).escape('\\'))
}


pub(super) fn at_address(select: &mut SelectStatement, address: &SipAddress) {
    select
        .and_where(Expr::col("username").eq(address.user.as_str()))
        .and_where(Expr::col("domain").eq(address.domain.as_str()));
}


/// The id of the user at `address`, as a subquery.
pub(super) fn user_id_of(address: &SipAddress) -> SelectStatement {
    let mut users = sea_orm::sea_query::Query::select().column("id").from("sip_users").take();
    at_address(&mut users, address);
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_become_escaped_lower_case_like_patterns() {
        let pattern = |raw: &str| like_pattern(&Glob::parse(raw).unwrap().unwrap());
        assert_eq!(pattern("Bo"), "%bo%");
        assert_eq!(pattern("*@voip.*"), "%%@voip.%%");
        assert_eq!(pattern("a?c"), "%a_c%");
        assert_eq!(pattern("100%_\\"), "%100\\%\\_\\\\%");
    }

    #[test]
    fn searches_are_bound_on_both_backends() {
        use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
        let glob = Glob::parse("bo").unwrap().unwrap();
        let mut select = sea_orm::sea_query::Query::select().column("username").from("sip_users").take();
        select.and_where(matches(Expr::cust("username || '@' || domain"), &glob));
        for (sql, _) in [select.build(SqliteQueryBuilder), select.build(PostgresQueryBuilder)] {
            assert!(sql.contains("LOWER(username || '@' || domain) LIKE") && sql.contains("ESCAPE"), "{sql}");
            assert!(!sql.contains("%bo%"), "the pattern is bound, not spelled: {sql}");
        }
    }
}
