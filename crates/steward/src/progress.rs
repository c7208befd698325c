//! Progress of long runs on a terminal (`hermes import`, `backup`, `restore`): a bar or a
//! spinner on stderr while a person watches, nothing in JSON mode or when stderr is not a
//! terminal, so logs and pipes stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::output::Format;

/// A progress display, or nothing.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    fn shown(format: Format) -> bool {
        format.for_people() && std::io::stderr().is_terminal()
    }

    /// A spinner with `message` and the time elapsed, for work of unknown length.
    pub fn spinner(format: Format, message: &str) -> Self {
        if !Self::shown(format) {
            return Self(None);
        }
        let bar = ProgressBar::new_spinner().with_message(message.to_owned());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Self(Some(bar))
    }

    /// A spinner over `total` items handled in one go (one transaction): the count is known,
    /// the progress inside it is not.
    pub fn count(format: Format, message: &str, total: usize) -> Self {
        Self::spinner(format, &format!("{message}: {total}"))
    }

    /// Clears the display.
    pub fn finish(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}
