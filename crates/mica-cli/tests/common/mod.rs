//! Helpers shared by the end-to-end tests: run the real `mica` binary in a folder (with a time
//! limit, so that a hang fails the test instead of stalling it) and lay out workspaces of real
//! files on disk.

#![allow(dead_code)]

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Run `mica args...` in `dir`, failing the test if it runs longer than `limit`.
pub fn mica_within(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mica"));
    command.args(args);
    run_within(command, dir, args, limit)
}

/// Run `mica args...` in `dir` with at most `cpu_seconds` of processor time (the shell's
/// `ulimit -t`, which kills it past that). Processor time does not depend on how busy the
/// machine is, so this bounds work, not the clock: a quadratic algorithm fails, a linear one
/// passes however loaded CI is.
#[cfg(unix)]
pub fn mica_cpu_limited(dir: &Path, args: &[&str], cpu_seconds: u32) -> Output {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -t {cpu_seconds}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_mica"))
        .args(args);
    run_within(command, dir, args, Duration::from_secs(900))
}

/// Run `mica args...` in `dir` with at most `megabytes` of address space (the shell's
/// `ulimit -v`): an allocation past it fails and the process aborts, so a report that needs
/// memory out of proportion to its input fails the test.
#[cfg(unix)]
pub fn mica_memory_limited(dir: &Path, args: &[&str], megabytes: u64) -> Output {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -v {}; exec \"$0\" \"$@\"",
            megabytes * 1024
        ))
        .arg(env!("CARGO_BIN_EXE_mica"))
        .args(args);
    run_within(command, dir, args, Duration::from_secs(900))
}

fn run_within(mut command: Command, dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = command
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mica");
    // Drain the pipes on threads, so that a large report cannot fill them and stall the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut buf).ok();
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut buf).ok();
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("mica {args:?} ran past {limit:?} in {}", dir.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_thread.join().unwrap(),
        stderr: err_thread.join().unwrap(),
    }
}

/// The repository's root folder (the example workspace).
pub fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Run `mica args...` in `dir` (at most two minutes).
pub fn mica(dir: &Path, args: &[&str]) -> Output {
    mica_within(dir, args, Duration::from_secs(120))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stdout(o)))
}

/// A temporary workspace with the given files (paths relative to its root).
pub fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

pub const SOURCE: &str = "Over nine years, the CCP invested more than\n$300 billion to establish 33 innovation centers.\n";
