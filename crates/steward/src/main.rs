//! The `steward` binary: parses the command line, loads the configuration and hands both to
//! the library ([`steward::commands::run`]). What is process-wide (allocator tuning, the TLS
//! provider, the runtime) is set up here, once, before anything else runs.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use steward::cli::Cli;
use steward::settings::Settings;

fn main() -> ExitCode {
    limit_malloc_growth();
    // The one TLS stack is rustls on ring; lettre and reqwest find the provider installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return fail(&anyhow::anyhow!("cannot start the runtime: {error}")),
    };
    let run = async {
        let settings = Settings::load(cli.config.as_deref(), std::env::vars())?;
        steward::commands::run(cli.command, cli.json, settings).await
    };
    match runtime.block_on(run) {
        Ok(code) => code,
        Err(error) => fail(&error),
    }
}

/// One line on stderr, no backtrace, exit 1.
fn fail(error: &anyhow::Error) -> ExitCode {
    let chain: Vec<String> = error.chain().map(ToString::to_string).collect();
    let _ = writeln!(std::io::stderr(), "steward: {}", chain.join(": "));
    ExitCode::FAILURE
}

/// glibc keeps freed argon2 blocks (19 MiB per verify) in its arenas: a few dozen logins
/// left 390–430 MB resident. Serving allocations of 1 MiB and more straight from mmap
/// returns them to the kernel on free (43 MB peak, 4 MB after, in our measurements).
///
/// glibc also gives each thread that allocates at the same time its own arena, up to eight
/// per core, and each arena keeps what was freed in it: requests served on different worker
/// threads grew RSS step by step (to 450 MB after ten big sends, 132 MB with one arena).
/// One arena per core bounds that and still spares threads from sharing one lock.
/// Done first, before any thread exists.
#[allow(unsafe_code)]
fn limit_malloc_growth() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only tunes the allocator; called before any other thread starts.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
    // SQLite counts every allocation under one global mutex by default; a profile of a
    // 1 000-row page put about 7 % of the server's time in it, with sqlx copying each value.
    // Nothing reads those statistics. Only allowed before SQLite's first use.
    // SAFETY: called before any other thread starts, so before sqlite3_initialize.
    unsafe {
        libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0);
    }
}
