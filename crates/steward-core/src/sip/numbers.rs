//! The E.164 number pool: free numbers a client allocates by taking them out, added one by
//! one or as a range.

use serde_json::json;
use steward_model::E164;
use steward_model::sip::Glob;

use super::{Sip, SipError};
use crate::{Actor, audit, now};

/// Why a range of numbers is refused (Hermes' `invalid`/`range`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RangeError(pub String);

/// What `numbers/add_range` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeAdded {
    /// Numbers now in the pool that were not.
    pub added: u64,
    /// Numbers already pooled or used as aliases.
    pub skipped: u64,
}

/// The numbers from `start` to `end` inclusive, checked as the seed asks: the same lead-in
/// (the first two digits after `+`), start before end, at most `max` of them.
pub fn number_range(start: &E164, end: &E164, max: u64) -> Result<Vec<E164>, RangeError> {
    let digits = |number: &E164| number.as_str().trim_start_matches('+').to_owned();
    let (first, last) = (digits(start), digits(end));
    let lead = |text: &str| text.get(..2).unwrap_or(text).to_owned();
    if lead(&first) != lead(&last) {
        return Err(RangeError(format!("start and end must share the lead-in +{}", lead(&first))));
    }
    let (Ok(low), Ok(high)) = (first.parse::<u64>(), last.parse::<u64>()) else {
        return Err(RangeError("start and end must be numbers".to_owned()));
    };
    if low >= high {
        return Err(RangeError("start must be below end".to_owned()));
    }
    let count = high - low + 1;
    if count > max {
        return Err(RangeError(format!("Range of {count} numbers exceeds the maximum of {max}")));
    }
    (low..=high)
        .map(|number| E164::parse(&format!("+{number}")).map_err(|error| RangeError(error.to_string())))
        .collect()
}

impl Sip {
    /// The pool's numbers matching `search`, ascending, or shuffled with `random`, at most
    /// `limit`.
    pub async fn numbers(&self, search: Option<&Glob>, random: bool, limit: Option<usize>) -> Result<Vec<E164>, SipError> {
        let mut numbers = self.store.sip_numbers(search).await?;
        if random {
            use rand::seq::SliceRandom;
            numbers.shuffle(&mut rand::rng());
        }
        if let Some(limit) = limit {
            numbers.truncate(limit);
        }
        Ok(numbers)
    }

    /// Whether `number` is in the pool.
    pub async fn in_pool(&self, number: &E164) -> Result<(), SipError> {
        if self.store.sip_number_in_pool(number).await? {
            Ok(())
        } else {
            Err(SipError::NonExistent(format!("{number} is not in the pool")))
        }
    }

    /// Adds `number` to the pool.
    #[tracing::instrument(skip_all, fields(number = %number))]
    pub async fn add_number(&self, actor: &Actor, number: &E164) -> Result<(), SipError> {
        let at = now();
        let write = self.store.write().await?;
        if write.sip_number_aliased(number).await? {
            return Err(SipError::InUse(format!("{number} is in use as an alias")));
        }
        if !write.insert_sip_number(number).await? {
            return Err(SipError::Exists(format!("{number} is already in the pool")));
        }
        write.audit(audit::entry(actor, "hermes.numbers.add", number.as_str(), json!({})), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// Takes `number` out of the pool (how a client allocates it).
    #[tracing::instrument(skip_all, fields(number = %number))]
    pub async fn remove_number(&self, actor: &Actor, number: &E164) -> Result<(), SipError> {
        let at = now();
        let write = self.store.write().await?;
        if !write.delete_sip_number(number).await? {
            return Err(SipError::NonExistent(format!("{number} is not in the pool")));
        }
        write.audit(audit::entry(actor, "hermes.numbers.remove", number.as_str(), json!({})), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// Adds every number from `start` to `end`, in one transaction, skipping those already
    /// pooled or used as aliases.
    #[tracing::instrument(skip_all, fields(start = %start, end = %end))]
    pub async fn add_range(&self, actor: &Actor, start: &E164, end: &E164) -> Result<Result<RangeAdded, RangeError>, SipError> {
        let numbers = match number_range(start, end, self.max_range) {
            Ok(numbers) => numbers,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let aliased = self.store.sip_aliased_numbers().await?;
        let free: Vec<E164> = numbers.iter().filter(|number| !aliased.contains(number.as_str())).cloned().collect();
        let at = now();
        let write = self.store.write().await?;
        let added = write.insert_sip_numbers(&free).await?;
        let total = u64::try_from(numbers.len()).unwrap_or(u64::MAX);
        write
            .audit(audit::entry(actor, "hermes.numbers.add_range", &format!("{start}..{end}"), json!({ "added": added })), at)
            .await?;
        write.commit().await?;
        Ok(Ok(RangeAdded { added, skipped: total - added }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_share_their_lead_in_and_stay_small() {
        let number = |text: &str| E164::parse(text).unwrap();
        let range = number_range(&number("+4761123400"), &number("+4761123409"), 10_000).unwrap();
        assert_eq!(range.len(), 10, "the end is included");
        assert_eq!((range[0].as_str(), range[9].as_str()), ("+4761123400", "+4761123409"));
        assert!(number_range(&number("+4761123400"), &number("+4661123409"), 10_000).unwrap_err().0.contains("lead-in +47"));
        assert!(number_range(&number("+4761123409"), &number("+4761123400"), 10_000).is_err());
        assert!(number_range(&number("+4761123400"), &number("+4761123400"), 10_000).is_err());
        let big = number_range(&number("+471234"), &number("+47123456"), 10_000).unwrap_err();
        assert_eq!(big.0, "Range of 46652223 numbers exceeds the maximum of 10000");
    }
}
