//! A page of a list: the rows asked for and how many the whole list holds, the one shape
//! every face's pagination is rendered from (Flask-Restless' `num_results`, Django's `count`).

/// One page of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// How many rows the search yields in all (`num_results`).
    pub total: u64,
    /// This page's rows.
    pub rows: Vec<T>,
}

impl<T> Page<T> {
    /// The same page with each row turned into another.
    pub fn map<U>(self, row: impl FnMut(T) -> U) -> Page<U> {
        Page { total: self.total, rows: self.rows.into_iter().map(row).collect() }
    }
}
