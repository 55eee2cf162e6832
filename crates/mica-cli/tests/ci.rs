//! `mica check` as CI runs it: paths relative to the current folder in every format, no silent
//! green run, exclude globs that cannot hang, and hostile input (a `mica.toml` that leads out
//! of the workspace or never ends, names that are not UTF-8, megabyte lines, escape
//! sequences). Real files on disk and the real binary.

mod common;

use common::*;
use std::path::PathBuf;
use std::time::Duration;

/// Resolve a relative URI reference against a `file://` folder URI, as a SARIF viewer does.
fn resolve(base: &str, uri: &str) -> PathBuf {
    let mut path = PathBuf::from(base.strip_prefix("file://").unwrap());
    for part in uri.split('/') {
        match part {
            ".." => {
                path.pop();
            }
            "." | "" => {}
            p => path.push(p),
        }
    }
    path
}

#[test]
fn paths_are_relative_to_the_current_folder_in_every_format() {
    let ws = workspace(&[
        ("mica.toml", "[sources.s]\npath = \"s.txt\"\n"),
        ("s.txt", SOURCE),
        ("sub/deeper/u.mica", "[Wrong]{#a cite=s:\"$400 billion\"}\n"),
        ("other/v.mica", "[Wrong]{#a cite=s:\"$500 billion\"}\n"),
    ]);
    let root = ws.path().canonicalize().unwrap();
    let cwd = root.join("sub/deeper");
    let expected = ["u.mica", "../../other/v.mica"];

    let o = mica(&cwd, &["check", "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let github = stdout(&o);
    let files: Vec<&str> = github
        .lines()
        .map(|l| l.split("file=").nth(1).unwrap().split(',').next().unwrap())
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    let mut want = expected.to_vec();
    want.sort();
    assert_eq!(sorted, want, "{github}");

    let v = json(&mica(&cwd, &["check", "--format", "json"]));
    let mut paths: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(paths, want);
    let related: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["related"].as_array().unwrap())
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert!(!related.is_empty() && related.iter().all(|p| *p == "../../s.txt"));

    let human = stdout(&mica(&cwd, &["check", "--color", "never"]));
    assert!(human.contains("[ u.mica:1:"), "{human}");
    assert!(human.contains("[ ../../other/v.mica:1:"), "{human}");
    assert!(human.contains("../../s.txt:2:"), "{human}");
    assert!(!human.contains(root.to_str().unwrap()), "{human}");

    // SARIF: every URI is relative to the base, and the base resolves it to the real file.
    let v = json(&mica(&cwd, &["check", "--format", "sarif"]));
    let run = &v["runs"][0];
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    for r in run["results"].as_array().unwrap() {
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        let uri = loc["uri"].as_str().unwrap();
        assert!(expected.contains(&uri), "{uri}");
        assert!(resolve(base, uri).is_file(), "{base} + {uri}");
    }
}

#[test]
fn nothing_to_check_is_an_error_not_a_green_run() {
    let ws = workspace(&[
        ("mica.toml", ""),
        ("seeds/a.txt", "text\n"),
        ("README.md", "# Not Mica\n[x]{#y}\n"),
    ]);
    let d = ws.path();
    for args in [&["check", "seeds"][..], &["check"][..]] {
        let o = mica(d, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        assert!(stderr(&o).contains("nothing to check"), "{}", stderr(&o));
        assert!(!stdout(&o).contains("Checked 0 files"), "{}", stdout(&o));
    }
    let o = mica(d, &["check", "README.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("README.md: not a Mica document"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

#[test]
fn star_and_double_star_exclude_files_at_the_root() {
    for pattern in ["*", "**"] {
        let ws = workspace(&[
            (
                "mica.toml",
                &format!("[workspace]\nexclude = [\"{pattern}\"]\n"),
            ),
            ("a.mica", "[Wrong]{#a cite=nowhere:\"x\"}\n"),
            ("sub/b.mica", "[Wrong]{#a cite=nowhere:\"x\"}\n"),
        ]);
        let o = mica(ws.path(), &["check"]);
        assert_eq!(o.status.code(), Some(2), "{pattern}: {}", stdout(&o));
        assert!(stderr(&o).contains("nothing to check"), "{}", stderr(&o));
        // A file named on the command line is checked all the same.
        let o = mica(ws.path(), &["check", "a.mica"]);
        assert_eq!(o.status.code(), Some(1), "{pattern}");
    }
}

#[test]
fn pathological_exclude_patterns_cannot_hang_a_check() {
    // A deep tree of folders, each with a document, and a 40-character name.
    let mut files = vec![(
        "mica.toml".to_string(),
        format!(
            "[workspace]\nexclude = [\"**/**/**/**/**/**/*.draft.mica\", \"{}b\"]\n",
            "*a".repeat(20)
        ),
    )];
    let mut dir = String::new();
    for i in 0..40 {
        dir.push_str(&format!("d{i}/"));
        files.push((format!("{dir}x.mica"), "[Fine]{#a}\n".into()));
        files.push((format!("{dir}x.draft.mica"), "[Draft]{#a}\n".into()));
    }
    files.push((format!("{}.mica", "a".repeat(40)), "[A]{#a}\n".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let ws = workspace(&refs);
    let o = mica_within(
        ws.path(),
        &["check", "--format", "json"],
        Duration::from_secs(60),
    );
    let v = json(&o);
    // The drafts are excluded; the 40 plain documents and the long name are checked.
    assert_eq!(v["files"], 41, "{v}");
}

#[cfg(unix)]
#[test]
fn a_hostile_mica_toml_is_refused_clearly() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("config.toml");
    std::fs::write(&secret, "[sources.\"TOP SECRET VALUE\"]\npath = \"x\"\n").unwrap();
    let ws = workspace(&[("a.mica", "[A]{#a}\n")]);
    let d = ws.path();
    std::os::unix::fs::symlink(&secret, d.join("mica.toml")).unwrap();
    let o = mica_within(d, &["check"], Duration::from_secs(30));
    let all = stdout(&o) + &stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(!all.contains("TOP SECRET"), "{all}");
    assert!(
        all.contains("mica.toml: the path leads outside the workspace root"),
        "{all}"
    );

    // A link to a device that never ends: refused at once, not read. The shell bounds the
    // memory so that a regression fails instead of exhausting the machine.
    std::fs::remove_file(d.join("mica.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("mica.toml")).unwrap();
    let o = mica_within(d, &["check"], Duration::from_secs(30));
    let all = stdout(&o) + &stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(all.contains("mica.toml:"), "{all}");

    // A FIFO would block a plain open forever.
    std::fs::remove_file(d.join("mica.toml")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(d.join("mica.toml"))
        .status()
        .unwrap();
    assert!(status.success());
    let o = mica_within(d, &["check"], Duration::from_secs(30));
    let all = stdout(&o) + &stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{all}");
    assert!(
        all.contains("mica.toml: the path is a directory or not a regular file"),
        "{all}"
    );
    // A FIFO named as a document is refused the same way, without blocking.
    std::fs::rename(d.join("mica.toml"), d.join("pipe.mica")).unwrap();
    std::fs::write(d.join("mica.toml"), "").unwrap();
    let o = mica_within(
        d,
        &["check", "--format", "json", "pipe.mica", "a.mica"],
        Duration::from_secs(30),
    );
    let v = json(&o);
    assert_eq!(v["files"], 1, "{v}");
    assert_eq!(v["unchecked"][0]["path"], "pipe.mica", "{v}");
}

#[cfg(target_os = "linux")]
#[test]
fn names_that_are_not_utf8_are_reported_and_the_rest_is_checked() {
    use std::os::unix::ffi::OsStrExt;
    let ws = workspace(&[("mica.toml", ""), ("ok.mica", "[Fine]{#a}\n")]);
    let d = ws.path();
    let bad = d.join(std::ffi::OsStr::from_bytes(b"bad\xff.mica"));
    std::fs::write(&bad, "[A]{#a}\n").unwrap();
    std::fs::create_dir(d.join(std::ffi::OsStr::from_bytes(b"notes\xfe"))).unwrap();
    let deep = d.join(std::ffi::OsStr::from_bytes(b"dir\xfd"));
    std::fs::create_dir(&deep).unwrap();
    std::fs::write(deep.join("inner.mica"), "[A]{#a}\n").unwrap();

    let o = mica(d, &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["files"], 1, "{v}");
    let unchecked: Vec<&str> = v["unchecked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["path"].as_str().unwrap())
        .collect();
    assert_eq!(unchecked, ["bad\\xff.mica", "dir\\xfd/inner.mica"], "{v}");
    let human = stdout(&mica(d, &["check", "--color", "never"]));
    assert!(
        human.contains("bad\\xff.mica: the path is not valid UTF-8"),
        "{human}"
    );
    assert!(
        human.contains("2 documents could not be checked"),
        "{human}"
    );
    let github = stdout(&mica(d, &["check", "--format", "github"]));
    assert!(github.contains("::error file=bad\\xff.mica,"), "{github}");
    let sarif = json(&mica(d, &["check", "--format", "sarif"]));
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes.as_array().unwrap().len(), 2, "{sarif}");
}

#[cfg(unix)]
#[test]
fn many_diagnostics_on_one_long_line_render_in_linear_time() {
    // About 360,000 uncited claims on a single line of 4 MiB. Counting each column from the
    // start of the line (as before) costs some 10^12 character steps, minutes of processor
    // time; counting from a nearby checkpoint takes seconds. The limit is on processor time,
    // so a busy machine does not make the test fail.
    let mut line = String::with_capacity(4 << 20);
    let mut i = 0;
    while line.len() < (4 << 20) {
        line.push_str(&format!("[c]{{#c{i}}} "));
        i += 1;
    }
    line.push('\n');
    let ws = workspace(&[("mica.toml", ""), ("long.mica", &line)]);
    let o = mica_cpu_limited(ws.path(), &["check", "--format", "json"], 60);
    assert_eq!(o.status.code(), Some(0), "{:?}", o.status);
    let v = json(&o);
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), i);
    // Columns count characters from the start of the line, the last one included.
    let last = &diags[i - 1]["range"]["start"];
    let col = line.rfind("[c]").unwrap() + 2;
    assert_eq!(
        (last["line"].as_u64(), last["column"].as_u64()),
        (Some(1), Some(col as u64))
    );
}

/// Every byte of `out` that a terminal would act on.
fn raw_controls(out: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(out);
    text.chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t') || matches!(c, '\u{202e}'))
        .map(|c| format!("{:?}", c))
        .collect()
}

#[test]
fn control_characters_are_escaped_for_each_medium() {
    let evil = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m\u{202e}\r";
    let ws = workspace(&[
        ("mica.toml", "[sources.s]\npath = \"s.txt\"\n"),
        ("s.txt", SOURCE),
        (
            "d.mica",
            &format!(
                "[Claim {evil} here]{{#a cite=s:\"invested {evil} more\" cite=s{evil}:\"x\"}}\n[B]{{#b}}\n"
            ),
        ),
    ]);
    for format in ["human", "github", "json", "sarif"] {
        let o = mica(
            ws.path(),
            &["check", "--format", format, "--color", "never"],
        );
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        assert!(!o.stdout.is_empty());
        assert_eq!(
            raw_controls(&o.stdout),
            Vec::<String>::new(),
            "{format}: {}",
            stdout(&o)
        );
        assert_eq!(raw_controls(&o.stderr), Vec::<String>::new(), "{format}");
        if format == "json" || format == "sarif" {
            json(&o);
        }
    }
    // The human report shows where the escapes were, visibly.
    let human = stdout(&mica(ws.path(), &["check", "--color", "never"]));
    assert!(human.contains("\\u{1b}[2J"), "{human}");
    // GitHub: a message cannot start a new workflow command.
    let github = stdout(&mica(ws.path(), &["check", "--format", "github"]));
    assert!(github.lines().all(|l| l.starts_with("::")), "{github}");
}

#[test]
fn columns_on_the_first_line_do_not_count_a_byte_order_mark() {
    let ws = workspace(&[
        ("mica.toml", ""),
        ("bom.mica", "\u{feff}[Uncited]{#a}\n[Two]{#b}\n"),
    ]);
    let v = json(&mica(ws.path(), &["check", "--format", "json"]));
    let starts: Vec<(u64, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = &d["range"]["start"];
            (s["line"].as_u64().unwrap(), s["column"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(starts, [(1, 2), (2, 2)], "{v}");
    let github = stdout(&mica(ws.path(), &["check", "--format", "github"]));
    assert!(github.contains("file=bom.mica,line=1,col=2,"), "{github}");
    let sarif = json(&mica(ws.path(), &["check", "--format", "sarif"]));
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], 2, "{sarif}");
    let human = stdout(&mica(ws.path(), &["check", "--color", "never"]));
    assert!(human.contains("bom.mica:1:2"), "{human}");
}

/// A report of many diagnostics needs memory in proportion to its size: SARIF once built a
/// tree of JSON values per result, 4 GB for the 125,000 duplicate ids of a 1 MB line
/// (adversarial finding N1). Half a megabyte of them (62,500 diagnostics with a label each)
/// must fit in 1.2 GB of address space in every format.
#[cfg(unix)]
#[test]
fn many_diagnostics_fit_in_bounded_memory() {
    let ws = workspace(&[("mica.toml", "[workspace]\n")]);
    std::fs::write(ws.path().join("dense.mica"), "[x]{#a} ".repeat(62_500)).unwrap();
    for format in ["sarif", "json", "human", "github"] {
        let out = mica_memory_limited(
            ws.path(),
            &[
                "check",
                "--color",
                "never",
                "--format",
                format,
                "dense.mica",
            ],
            1200,
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        assert!(out.stdout.len() > 1_000_000, "{format}");
    }
}
