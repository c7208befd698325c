//! How Astakos presents each resource in `usage`: Synnefo 0.13's presentation data for the
//! default catalogue (the seed's example texts), and a plain fallback for any other
//! resource (`janua.sms`, or one an operator added). UI wording, so it lives in the face.
//! Borrowed or static wherever it can be: services ask for it on every user request.

use std::borrow::Cow;

/// One resource's presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presentation<'a> {
    /// `verbose_name`.
    pub verbose_name: Cow<'a, str>,
    /// `display_name`: the verbose name, upper-cased for an abbreviation.
    pub display_name: Cow<'a, str>,
    /// `pluralized_display_name`: the display name with an `s` for plain counts (no unit).
    pub pluralized_display_name: Cow<'a, str>,
    /// `is_abbreviation`.
    pub is_abbreviation: bool,
    /// `report_desc`.
    pub report_desc: Cow<'a, str>,
    /// `placeholder`.
    pub placeholder: &'static str,
    /// `help_text`.
    pub help_text: &'static str,
    /// `help_text_input_each`.
    pub help_text_input_each: &'static str,
}

/// 0.13's presentation of one resource of its catalogue.
struct Known {
    name: &'static str,
    verbose_name: &'static str,
    is_abbreviation: bool,
    report_desc: &'static str,
    placeholder: &'static str,
    help_text: &'static str,
    help_text_input_each: &'static str,
    /// `display_name` and `pluralized_display_name`, as 0.13 derives them (checked by a
    /// test against [`derived`]).
    display_name: &'static str,
    pluralized_display_name: &'static str,
}

/// 0.13's catalogue, in its presentation order.
const KNOWN: [Known; 6] = [
    Known {
        name: "pithos+.diskspace",
        verbose_name: "Storage Space",
        is_abbreviation: false,
        report_desc: "Storage Space",
        placeholder: "eg. 10GB",
        help_text: "This is the space on Pithos for storing files and VM Images. ",
        help_text_input_each: "This is the total amount of space on Pithos that will be granted to each user of this Project ",
        display_name: "Storage Space",
        pluralized_display_name: "Storage Space",
    },
    Known {
        name: "cyclades.disk",
        verbose_name: "System Disk",
        is_abbreviation: false,
        report_desc: "System Disk",
        placeholder: "eg. 5GB, 2GB etc",
        help_text: "This is the System Disk that the VMs have that run the OS ",
        help_text_input_each: "This is the total amount of System Disk that will be granted to each user of this Project (this refers to the total System Disk of all VMs, not each VM's System Disk)  ",
        display_name: "System Disk",
        pluralized_display_name: "System Disk",
    },
    Known {
        name: "cyclades.cpu",
        verbose_name: "cpu",
        is_abbreviation: true,
        report_desc: "CPUs",
        placeholder: "eg. 1",
        help_text: "CPUs used by VMs ",
        help_text_input_each: "This is the total number of CPUs that will be granted to each user of this Project (on all VMs)  ",
        display_name: "CPU",
        pluralized_display_name: "CPUs",
    },
    Known {
        name: "cyclades.ram",
        verbose_name: "ram",
        is_abbreviation: true,
        report_desc: "RAM",
        placeholder: "eg. 4GB",
        help_text: "RAM used by VMs ",
        help_text_input_each: "This is the total amount of RAM that will be granted to each user of this Project (on all VMs)  ",
        display_name: "RAM",
        pluralized_display_name: "RAM",
    },
    Known {
        name: "cyclades.vm",
        verbose_name: "vm",
        is_abbreviation: true,
        report_desc: "Virtual Machines",
        placeholder: "eg. 2",
        help_text: "These are the VMs one can create on the Cyclades UI ",
        help_text_input_each: "This is the total number of VMs that will be granted to each user of this Project ",
        display_name: "VM",
        pluralized_display_name: "VMs",
    },
    Known {
        name: "cyclades.network.private",
        verbose_name: "private network",
        is_abbreviation: false,
        report_desc: "Private Networks",
        placeholder: "eg. 1",
        help_text: "These are the Private Networks one can create on the Cyclades UI. ",
        help_text_input_each: "This is the total number of Private Networks that will be granted to each user of this Project ",
        display_name: "private network",
        pluralized_display_name: "private networks",
    },
];

/// Where `name` comes in the presentation order: the catalogue first, then the others.
pub fn rank(name: &str) -> usize {
    KNOWN.iter().position(|known| known.name == name).unwrap_or(KNOWN.len())
}

/// 0.13's `display_name` and `pluralized_display_name` of a verbose name: upper-cased for
/// an abbreviation, with an `s` for a plain count (no unit).
#[cfg(test)]
fn derived(verbose_name: &str, is_abbreviation: bool, unit: &str) -> (String, String) {
    let display = if is_abbreviation { verbose_name.to_uppercase() } else { verbose_name.to_owned() };
    let plural = if unit.is_empty() { format!("{display}s") } else { display.clone() };
    (display, plural)
}

/// The presentation of resource `name`, described as `description`, counted in `unit`.
pub fn of<'a>(name: &'a str, description: &'a str, unit: &str) -> Presentation<'a> {
    match KNOWN.iter().find(|known| known.name == name) {
        Some(known) => Presentation {
            verbose_name: Cow::Borrowed(known.verbose_name),
            display_name: Cow::Borrowed(known.display_name),
            pluralized_display_name: Cow::Borrowed(known.pluralized_display_name),
            is_abbreviation: known.is_abbreviation,
            report_desc: Cow::Borrowed(known.report_desc),
            placeholder: known.placeholder,
            help_text: known.help_text,
            help_text_input_each: known.help_text_input_each,
        },
        None => {
            let last = name.rsplit('.').next().unwrap_or(name);
            let verbose_name = if last.contains('_') { Cow::Owned(last.replace('_', " ")) } else { Cow::Borrowed(last) };
            let pluralized = if unit.is_empty() { Cow::Owned(format!("{verbose_name}s")) } else { verbose_name.clone() };
            Presentation {
                display_name: verbose_name.clone(),
                pluralized_display_name: pluralized,
                verbose_name,
                is_abbreviation: false,
                report_desc: Cow::Borrowed(description),
                placeholder: "",
                help_text: "",
                help_text_input_each: "",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_0_13() {
        let vm = of("cyclades.vm", "", "");
        assert_eq!((&*vm.display_name, &*vm.pluralized_display_name), ("VM", "VMs"));
        let ram = of("cyclades.ram", "", "bytes");
        assert_eq!((&*ram.display_name, &*ram.pluralized_display_name), ("RAM", "RAM"));
        let network = of("cyclades.network.private", "", "");
        assert_eq!(network.pluralized_display_name, "private networks");
        let sms = of("janua.sms", "SMS parts per window", "");
        assert_eq!((&*sms.display_name, &*sms.pluralized_display_name, &*sms.report_desc), ("sms", "smss", "SMS parts per window"));
        let spaced = of("acme.build_minutes", "", "minutes");
        assert_eq!((&*spaced.verbose_name, &*spaced.pluralized_display_name), ("build minutes", "build minutes"));
        assert!(rank("pithos+.diskspace") < rank("cyclades.vm") && rank("cyclades.vm") < rank("janua.sms"));
    }

    /// The stored display names are what 0.13 derives, with each resource's default unit.
    #[test]
    fn the_stored_display_names_are_derived_ones() {
        let units = [("pithos+.diskspace", "bytes"), ("cyclades.disk", "bytes"), ("cyclades.cpu", ""), ("cyclades.ram", "bytes"), ("cyclades.vm", ""), ("cyclades.network.private", "")];
        for (known, (name, unit)) in KNOWN.iter().zip(units) {
            assert_eq!(known.name, name);
            let (display, plural) = derived(known.verbose_name, known.is_abbreviation, unit);
            assert_eq!((known.display_name, known.pluralized_display_name), (display.as_str(), plural.as_str()), "{name}");
        }
    }
}
