//! `/node/logins`: successful logins that carried a project, per project, client kind and
//! month; the last five years unless `from_date`/`to_date` (`YYYY-MM-DD`, inclusive) say.

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use steward_model::projects::LoginCount;
use time::Date;

use crate::call::Call;
use crate::errors::Refusal;
use crate::render::{self, Attr, Resource};

/// One count as dRofus' statistics show it.
pub struct LoginView(pub LoginCount);

impl Resource for LoginView {
    const SINGULAR: &'static str = "login";
    const PLURAL: &'static str = "logins";

    fn attributes(&self) -> Vec<(&'static str, Attr<'_>)> {
        let count = &self.0;
        vec![
            ("project_id", Attr::Int(Some(count.project_id.0))),
            ("project_name", Attr::Text(Some(&count.project_name))),
            ("database", Attr::Text(count.database.as_deref())),
            ("client", Attr::Text(Some(count.client.as_str()))),
            ("year", Attr::Int(Some(i64::from(count.year)))),
            ("month", Attr::Int(Some(i64::from(count.month)))),
            ("count", Attr::Int(Some(i64::try_from(count.count).unwrap_or(i64::MAX)))),
        ]
    }
}

/// `from_date` and `to_date`, or their defaults (five years back, today); `None` when one
/// is not a date.
fn period(query: Option<&str>, today: Date) -> Option<(Date, Date)> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = |key: &str| -> Option<Option<Date>> {
        match crate::body::query_value(query, key) {
            None => Some(None),
            Some(value) => Date::parse(value.trim(), &format).ok().map(Some),
        }
    };
    let from = date("from_date")?.unwrap_or_else(|| today.replace_year(today.year() - 5).unwrap_or(today));
    let to = date("to_date")?.unwrap_or(today);
    Some((from, to))
}

/// `GET /node/logins`.
pub async fn index(call: Call, RawQuery(query): RawQuery) -> Result<Response, Refusal> {
    let today = time::OffsetDateTime::now_utc().date();
    let (from, to) = period(query.as_deref(), today).ok_or(Refusal::status(call.format, StatusCode::BAD_REQUEST))?;
    let counts = call.state.core.people.login_counts(call.can()?, from, to).await.map_err(call.refusal())?;
    let views: Vec<LoginView> = counts.into_iter().map(LoginView).collect();
    Ok(render::list(call.format, &views).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_defaults_to_five_years_and_refuses_non_dates() {
        let today = time::macros::date!(2026 - 12 - 06);
        assert_eq!(period(None, today), Some((time::macros::date!(2021 - 12 - 06), today)));
        assert_eq!(
            period(Some("from_date=2020-01-01&to_date=2020-12-31"), today),
            Some((time::macros::date!(2020 - 01 - 01), time::macros::date!(2020 - 12 - 31)))
        );
        assert_eq!(period(Some("from_date=2020-13-45"), today), None);
        assert_eq!(period(Some("to_date=yesterday"), today), None);
    }
}
