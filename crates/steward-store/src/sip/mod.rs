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

use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement};
use sea_orm::ColumnTrait;
use steward_model::sip::{Glob, GlobPiece, SipAddress};

use crate::StoreError;
use crate::entity::sip_user;

/// A SIP address read back from its two columns.
pub(super) fn address(user: &str, domain: &str) -> Result<SipAddress, StoreError> {
    SipAddress::from_parts(user, domain).map_err(|cause| StoreError::unreadable(format!("SIP address {user}@{domain}"), cause))
}

/// `glob` as a `LIKE` pattern with `\` escapes, lower-cased (the searches are
/// case-insensitive).
pub(crate) fn like_pattern(glob: &Glob) -> String {
    let mut pattern = String::new();
    for piece in glob.pieces() {
        match piece {
            GlobPiece::AnyRun => pattern.push('%'),
            GlobPiece::AnyOne => pattern.push('_'),
            GlobPiece::Literal(character) => crate::text::push_literal(&mut pattern, character),
        }
    }
    pattern
}

/// `LOWER(value) LIKE pattern ESCAPE '\'`, bound.
pub(super) fn matches(value: Expr, glob: &Glob) -> Expr {
    let lowered: Expr = Func::lower(value).into();
    lowered.like(LikeExpr::new(like_pattern(glob)).escape('\\'))
}

/// `user || '@' || domain`: the address two columns hold, as text to search.
pub(super) fn address_text<C: ColumnTrait>(user: C, domain: C) -> Expr {
    crate::text::joined(Expr::col(user), "@", Expr::col(domain))
}

/// The rows whose `user` and `domain` columns hold `address`.
pub(super) fn at_address<C: ColumnTrait>(user: C, domain: C, address: &SipAddress) -> Condition {
    Condition::all().add(user.eq(address.user.as_str())).add(domain.eq(address.domain.as_str()))
}

/// The id of the user at `address`, as a subquery.
pub(super) fn user_id_of(address: &SipAddress) -> SelectStatement {
    Query::select()
        .column(sip_user::Column::Id)
        .from(sip_user::Entity)
        .cond_where(at_address(sip_user::Column::Username, sip_user::Column::Domain, address))
        .take()
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
        let mut select = Query::select().column(sip_user::Column::Username).from(sip_user::Entity).take();
        select.and_where(matches(address_text(sip_user::Column::Username, sip_user::Column::Domain), &glob));
        for (sql, _) in [select.build(SqliteQueryBuilder), select.build(PostgresQueryBuilder)] {
            assert!(sql.contains(r#"LOWER(("username" || '@') || "domain") LIKE"#) && sql.contains("ESCAPE"), "{sql}");
            assert!(!sql.contains("%bo%"), "the pattern is bound, not spelled: {sql}");
        }
    }
}
