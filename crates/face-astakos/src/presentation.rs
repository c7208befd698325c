//! How Astakos presents each resource in `usage`: Synnefo 0.13's presentation data for the
//! default catalogue (the seed's example texts), and a plain fallback for any other
//! resource (`janua.sms`, or one an operator added). UI wording, so it lives in the face.

/// One resource's presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presentation {
    /// `verbose_name`.
    pub verbose_name: String,
    /// Upper-case the display name (`cpu` → `CPU`).
    pub is_abbreviation: bool,
    /// `report_desc`.
    pub report_desc: String,
    /// `placeholder`.
    pub placeholder: &'static str,
    /// `help_text`.
    pub help_text: &'static str,
    /// `help_text_input_each`.
    pub help_text_input_each: &'static str,
}

type Known = (&'static str, &'static str, bool, &'static str, &'static str, &'static str, &'static str);

/// 0.13's catalogue, in its presentation order: name, verbose name, abbreviation, report
/// description, placeholder, help text, help text per user.
const KNOWN: [Known; 6] = [
    ("pithos+.diskspace", "Storage Space", false, "Storage Space", "eg. 10GB", "This is the space on Pithos for storing files and VM Images. ", "This is the total amount of space on Pithos that will be granted to each user of this Project "),
    ("cyclades.disk", "System Disk", false, "System Disk", "eg. 5GB, 2GB etc", "This is the System Disk that the VMs have that run the OS ", "This is the total amount of System Disk that will be granted to each user of this Project (this refers to the total System Disk of all VMs, not each VM's System Disk)  "),
    ("cyclades.cpu", "cpu", true, "CPUs", "eg. 1", "CPUs used by VMs ", "This is the total number of CPUs that will be granted to each user of this Project (on all VMs)  "),
    ("cyclades.ram", "ram", true, "RAM", "eg. 4GB", "RAM used by VMs ", "This is the total amount of RAM that will be granted to each user of this Project (on all VMs)  "),
    ("cyclades.vm", "vm", true, "Virtual Machines", "eg. 2", "These are the VMs one can create on the Cyclades UI ", "This is the total number of VMs that will be granted to each user of this Project "),
    ("cyclades.network.private", "private network", false, "Private Networks", "eg. 1", "These are the Private Networks one can create on the Cyclades UI. ", "This is the total number of Private Networks that will be granted to each user of this Project "),
];

/// Where `name` comes in the presentation order: the catalogue first, then the others.
pub fn rank(name: &str) -> usize {
    KNOWN.iter().position(|known| known.0 == name).unwrap_or(KNOWN.len())
}

/// The presentation of resource `name` (described as `description`).
pub fn of(name: &str, description: &str) -> Presentation {
    match KNOWN.iter().find(|known| known.0 == name) {
        Some(&(_, verbose_name, is_abbreviation, report_desc, placeholder, help_text, help_text_input_each)) => Presentation {
            verbose_name: verbose_name.to_owned(),
            is_abbreviation,
            report_desc: report_desc.to_owned(),
            placeholder,
            help_text,
            help_text_input_each,
        },
        None => Presentation {
            verbose_name: name.rsplit('.').next().unwrap_or(name).replace('_', " "),
            is_abbreviation: false,
            report_desc: description.to_owned(),
            placeholder: "",
            help_text: "",
            help_text_input_each: "",
        },
    }
}

impl Presentation {
    /// `display_name`: the verbose name, upper-cased for an abbreviation.
    pub fn display_name(&self) -> String {
        if self.is_abbreviation { self.verbose_name.to_uppercase() } else { self.verbose_name.clone() }
    }

    /// `pluralized_display_name`: with an `s` for plain counts (no unit).
    pub fn pluralized_display_name(&self, unit: &str) -> String {
        if unit.is_empty() { format!("{}s", self.display_name()) } else { self.display_name() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_0_13() {
        let vm = of("cyclades.vm", "");
        assert_eq!((vm.display_name(), vm.pluralized_display_name("")), ("VM".to_owned(), "VMs".to_owned()));
        let ram = of("cyclades.ram", "");
        assert_eq!((ram.display_name(), ram.pluralized_display_name("bytes")), ("RAM".to_owned(), "RAM".to_owned()));
        let network = of("cyclades.network.private", "");
        assert_eq!(network.pluralized_display_name(""), "private networks");
        let sms = of("janua.sms", "SMS parts per window");
        assert_eq!((sms.display_name(), sms.report_desc.as_str()), ("sms".to_owned(), "SMS parts per window"));
        assert!(rank("pithos+.diskspace") < rank("cyclades.vm") && rank("cyclades.vm") < rank("janua.sms"));
    }
}
