//! `sms.prefix_filter`: the phone-number prefixes Janua may message and store; one rule for
//! contacts, admins and SMS recipients.

/// The allowed prefixes; empty allows every number.
#[derive(Debug, Clone, Default)]
pub struct PrefixFilter(Vec<String>);

impl PrefixFilter {
    /// The filter of the configuration's prefixes.
    pub fn new(prefixes: Vec<String>) -> Self {
        Self(prefixes)
    }

    /// Whether `number` starts with one of the prefixes (or no prefix is configured).
    pub fn allows(&self, number: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|prefix| number.starts_with(prefix.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_allows_everything_else_only_the_prefixes() {
        assert!(PrefixFilter::default().allows("+41790000000"));
        let french = PrefixFilter::new(vec!["+33".into()]);
        assert!(french.allows("+33612345678"));
        assert!(!french.allows("+41790000000"));
    }
}
