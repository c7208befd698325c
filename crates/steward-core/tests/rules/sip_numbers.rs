//! The E.164 number pool: ranges and their bounds, numbers added and taken out one by one,
//! ranges added with what was already there skipped, and the pool's listing.

use steward_core::Actor;
use steward_core::sip::{RangeAdded, RangeError, SipError, number_range};
use steward_model::E164;
use steward_model::sip::Glob;

use crate::kit::{Kit, MAX_RANGE};

fn number(text: &str) -> E164 {
    E164::parse(text).unwrap()
}

fn texts(numbers: &[E164]) -> Vec<&str> {
    numbers.iter().map(E164::as_str).collect()
}

/// Hermes' clients are trusted by their network.
fn hermes() -> Actor {
    Actor::trusted_network(std::net::Ipv4Addr::LOCALHOST.into(), "hermes")
}

async fn pool(kit: &Kit) -> Vec<String> {
    kit.core.hermes.numbers(None, false, None).await.unwrap().into_iter().map(|number| number.as_str().to_owned()).collect()
}

#[test]
fn a_range_includes_both_ends_and_keeps_within_its_bounds() {
    let range = number_range(&number("+4761123400"), &number("+4761123409"), 10).unwrap();
    assert_eq!(range.len(), 10);
    assert_eq!((range[0].as_str(), range[9].as_str()), ("+4761123400", "+4761123409"));
    assert!(range.windows(2).all(|pair| pair[0].as_str() < pair[1].as_str()), "ascending");
    // Exactly the maximum is allowed, one more is not.
    let over = number_range(&number("+4761123400"), &number("+4761123410"), 10).unwrap_err();
    assert_eq!(over, RangeError("Range of 11 numbers exceeds the maximum of 10".to_owned()));
}

#[test]
fn a_range_runs_upward_within_one_lead_in() {
    let reversed = number_range(&number("+4761123409"), &number("+4761123400"), 100).unwrap_err();
    assert_eq!(reversed.0, "start must be below end");
    let single = number_range(&number("+4761123400"), &number("+4761123400"), 100).unwrap_err();
    assert_eq!(single.0, "start must be below end");
    let lead = number_range(&number("+4761123400"), &number("+4661123409"), 100).unwrap_err();
    assert_eq!(lead.0, "start and end must share the lead-in +47");
    // The lead-in is checked before the size.
    let both = number_range(&number("+4700"), &number("+48999999999"), 100).unwrap_err();
    assert!(both.0.contains("lead-in"), "{both:?}");
}

#[tokio::test]
async fn a_number_is_added_taken_out_and_refused_twice() {
    let kit = Kit::new().await;
    let sip = &kit.core.hermes;
    let one = number("+4761123400");
    let refused = sip.in_pool(&one).await.unwrap_err();
    assert!(matches!(&refused, SipError::NonExistent(why) if why == "+4761123400 is not in the pool"), "{refused:?}");

    sip.add_number(&hermes(), &one).await.unwrap();
    sip.in_pool(&one).await.unwrap();
    assert_eq!(pool(&kit).await, ["+4761123400"]);
    let twice = sip.add_number(&hermes(), &one).await.unwrap_err();
    assert!(matches!(&twice, SipError::Exists(why) if why == "+4761123400 is already in the pool"), "{twice:?}");
    assert_eq!(pool(&kit).await, ["+4761123400"]);

    sip.remove_number(&hermes(), &one).await.unwrap();
    assert!(matches!(sip.in_pool(&one).await, Err(SipError::NonExistent(_))));
    assert!(pool(&kit).await.is_empty());
    let again = sip.remove_number(&hermes(), &one).await.unwrap_err();
    assert!(matches!(&again, SipError::NonExistent(why) if why == "+4761123400 is not in the pool"), "{again:?}");

    let actions = kit.audit_actions().await;
    assert_eq!(actions, ["hermes.numbers.remove", "hermes.numbers.add"], "refusals are not audited");
}

#[tokio::test]
async fn a_range_adds_what_is_missing_and_counts_what_was_there() {
    let kit = Kit::new().await;
    let sip = &kit.core.hermes;
    sip.add_number(&hermes(), &number("+4761123405")).await.unwrap();

    let added = sip.add_range(&hermes(), &number("+4761123400"), &number("+4761123409")).await.unwrap().unwrap();
    assert_eq!(added, RangeAdded { added: 9, skipped: 1 });
    let again = sip.add_range(&hermes(), &number("+4761123400"), &number("+4761123409")).await.unwrap().unwrap();
    assert_eq!(again, RangeAdded { added: 0, skipped: 10 });
    let overlapping = sip.add_range(&hermes(), &number("+4761123408"), &number("+4761123412")).await.unwrap().unwrap();
    assert_eq!(overlapping, RangeAdded { added: 3, skipped: 2 });
    let all = pool(&kit).await;
    assert_eq!(all.len(), 13);
    assert_eq!((all.first().unwrap().as_str(), all.last().unwrap().as_str()), ("+4761123400", "+4761123412"));
    assert_eq!(kit.audit_actions().await.iter().filter(|action| *action == "hermes.numbers.add_range").count(), 3);
}

#[tokio::test]
async fn a_refused_range_adds_nothing() {
    let kit = Kit::new().await;
    let sip = &kit.core.hermes;
    let start = number("+4761123400");
    let over = E164::parse(&format!("+{}", 4_761_123_400 + MAX_RANGE)).unwrap();
    let refused = sip.add_range(&hermes(), &start, &over).await.unwrap().unwrap_err();
    assert_eq!(refused.0, format!("Range of {} numbers exceeds the maximum of {MAX_RANGE}", MAX_RANGE + 1));
    let reversed = sip.add_range(&hermes(), &number("+4761123409"), &start).await.unwrap().unwrap_err();
    assert_eq!(reversed.0, "start must be below end");
    assert!(pool(&kit).await.is_empty());
    assert!(kit.audit_actions().await.is_empty());

    // The configured maximum itself is allowed.
    let last = E164::parse(&format!("+{}", 4_761_123_400 + MAX_RANGE - 1)).unwrap();
    let added = sip.add_range(&hermes(), &start, &last).await.unwrap().unwrap();
    assert_eq!(added, RangeAdded { added: MAX_RANGE, skipped: 0 });
}

#[tokio::test]
async fn the_pool_is_searched_sorted_shuffled_and_cut() {
    let kit = Kit::new().await;
    let sip = &kit.core.hermes;
    sip.add_range(&hermes(), &number("+4761123400"), &number("+4761123419")).await.unwrap().unwrap();
    sip.add_range(&hermes(), &number("+3312345600"), &number("+3312345604")).await.unwrap().unwrap();
    let search = |raw: &str| Glob::parse(raw).unwrap().unwrap();

    // A search is found anywhere in the number; `?` is one character, `*` any run.
    let found = sip.numbers(Some(&search("6112341")), false, None).await.unwrap();
    assert_eq!(found.len(), 10);
    assert_eq!((found[0].as_str(), found[9].as_str()), ("+4761123410", "+4761123419"));
    assert_eq!(texts(&sip.numbers(Some(&search("+33")), false, None).await.unwrap()), ["+3312345600", "+3312345601", "+3312345602", "+3312345603", "+3312345604"]);
    assert_eq!(texts(&sip.numbers(Some(&search("+47*0?")), false, None).await.unwrap()), ["+4761123400", "+4761123401", "+4761123402", "+4761123403", "+4761123404", "+4761123405", "+4761123406", "+4761123407", "+4761123408", "+4761123409"]);
    assert_eq!(texts(&sip.numbers(Some(&search("3400")), false, None).await.unwrap()), ["+4761123400"]);
    assert!(sip.numbers(Some(&search("+1")), false, None).await.unwrap().is_empty());
    // Wildcards of SQL are literals.
    assert!(sip.numbers(Some(&search("%")), false, None).await.unwrap().is_empty());
    assert!(sip.numbers(Some(&search("_")), false, None).await.unwrap().is_empty());

    // In order, the limit keeps the lowest.
    assert_eq!(texts(&sip.numbers(None, false, Some(3)).await.unwrap()), ["+3312345600", "+3312345601", "+3312345602"]);
    assert_eq!(sip.numbers(None, false, Some(100)).await.unwrap().len(), 25);
    assert!(sip.numbers(None, false, Some(0)).await.unwrap().is_empty());

    // Shuffled: the same numbers, and a limit takes distinct ones from the search.
    let mut shuffled = sip.numbers(None, true, None).await.unwrap();
    shuffled.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(shuffled, sip.numbers(None, false, None).await.unwrap());
    let mut picked = sip.numbers(Some(&search("+47")), true, Some(5)).await.unwrap();
    assert_eq!(picked.len(), 5);
    assert!(picked.iter().all(|number| number.as_str().starts_with("+47611234")), "{picked:?}");
    picked.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    picked.dedup();
    assert_eq!(picked.len(), 5, "no number is picked twice");
    // Twenty numbers in the same order eight times running would be a shuffle that is not.
    let ordered = sip.numbers(Some(&search("+47")), false, None).await.unwrap();
    let mut differs = false;
    for _ in 0..8 {
        differs |= sip.numbers(Some(&search("+47")), true, None).await.unwrap() != ordered;
    }
    assert!(differs, "random never shuffled");
}
