//! End-to-end tests of the `mica` binary: exit codes, the example workspace, the fault
//! gallery, security (paths outside the root), bad input and which files are checked. The
//! report formats are in `report.rs`; `--fix`, `mica render`, CI behaviour and races have
//! files of their own.

mod common;

use common::*;
use std::path::{Path, PathBuf};

#[test]
fn the_example_workspace_is_clean() {
    let o = mica(&repo(), &["check"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
    let o = mica(&repo(), &["check", "--format", "json"]);
    let v = json(&o);
    assert!(v["claims"].as_u64().unwrap() >= 40, "{v}");
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn every_fault_file_shows_its_diagnostic_once() {
    let dir = repo().join("spec/examples/faults");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        let text = std::fs::read_to_string(&path).unwrap();
        let Some(expect) = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("<!-- expect: "))
        else {
            continue;
        };
        let (code, line) = expect
            .trim_end_matches(" -->")
            .split_once(" at line ")
            .unwrap();
        let o = mica(
            &repo(),
            &["check", "--format", "json", path.to_str().unwrap()],
        );
        let v = json(&o);
        let diags = v["diagnostics"].as_array().unwrap();
        let found: Vec<(String, u64)> = diags
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["range"]["start"]["line"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![(code.to_string(), line.parse::<u64>().unwrap())],
            "{}",
            path.display()
        );
        let severity = diags[0]["severity"].as_str().unwrap();
        let expected_exit = if severity == "error" { 1 } else { 0 };
        assert_eq!(o.status.code(), Some(expected_exit), "{}", path.display());
        seen += 1;
    }
    assert_eq!(
        seen, 23,
        "one fault file per diagnostic code, two more for common slips"
    );
}

#[test]
fn exit_codes_are_honest() {
    let ws = workspace(&[
        ("mica.toml", "[sources.s]\npath = \"s.txt\"\n"),
        ("s.txt", SOURCE),
        ("ok.mica", "[Fine]{#a cite=s:\"33 innovation centers\"}\n"),
        ("warn.mica", "[Uncited]{#a conf=high}\n"),
        ("err.mica", "[Wrong]{#a cite=s:\"$400 billion\"}\n"),
    ]);
    let d = ws.path();
    assert_eq!(mica(d, &["check", "ok.mica"]).status.code(), Some(0));
    assert_eq!(mica(d, &["check", "warn.mica"]).status.code(), Some(0));
    assert_eq!(
        mica(d, &["check", "--deny-warnings", "warn.mica"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(mica(d, &["check", "err.mica"]).status.code(), Some(1));
    assert_eq!(mica(d, &["check"]).status.code(), Some(1));
    let o = mica(d, &["check", "missing.mica"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("missing.mica: no such file or folder"),
        "{}",
        stderr(&o)
    );
    let o = mica(d, &["check", "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::write(d.join("mica.toml"), "[rules]\nuncited-claims = \"off\"\n").unwrap();
    let o = mica(d, &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("mica.toml:2:1: unknown rule `uncited-claims`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn rules_can_be_reconfigured() {
    let ws = workspace(&[("w.mica", "[Uncited]{#a}\n"), ("mica.toml", "")]);
    let v = json(&mica(ws.path(), &["check", "--format", "json"]));
    assert_eq!(v["diagnostics"][0]["severity"], "warning");
    std::fs::write(
        ws.path().join("mica.toml"),
        "[rules]\nuncited-claim = \"error\"\n",
    )
    .unwrap();
    let o = mica(ws.path(), &["check", "--format", "json"]);
    assert_eq!(json(&o)["diagnostics"][0]["severity"], "error");
    assert_eq!(o.status.code(), Some(1));
    std::fs::write(
        ws.path().join("mica.toml"),
        "[rules]\nuncited-claim = \"off\"\n",
    )
    .unwrap();
    let v = json(&mica(ws.path(), &["check", "--format", "json"]));
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn sources_outside_the_root_are_never_read() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET-PASSAGE the CCP invested\n").unwrap();
    let ws = workspace(&[(
        "d.mica",
        "@source up \"../secret.txt\"\n@source link \"link.txt\"\n@source abs \"ABS\"\n[A]{#a cite=up:\"TOP-SECRET-PASSAGE\" cite=link:\"TOP-SECRET-PASSAGE\" cite=abs:\"TOP\"}\n",
    )]);
    let text = std::fs::read_to_string(ws.path().join("d.mica"))
        .unwrap()
        .replace("ABS", secret.to_str().unwrap());
    std::fs::write(ws.path().join("d.mica"), text).unwrap();
    std::fs::write(ws.path().join("mica.toml"), "").unwrap();
    std::os::unix::fs::symlink(&secret, ws.path().join("link.txt")).unwrap();
    // `../secret.txt` is relative to the root, so put the secret there too.
    std::fs::copy(&secret, ws.path().parent().unwrap().join("secret.txt")).ok();
    for format in ["human", "json", "sarif", "github"] {
        let o = mica(ws.path(), &["check", "--format", format]);
        let out = stdout(&o) + &stderr(&o);
        assert!(
            !out.contains("TOP-SECRET-PASSAGE the CCP"),
            "{format}: {out}"
        );
        assert!(!out.contains("the CCP invested"), "{format}: {out}");
        assert_eq!(o.status.code(), Some(1));
    }
    let v = json(&mica(ws.path(), &["check", "--format", "json"]));
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["source-outside-root"; 3]);
}

#[test]
fn bad_input_never_panics_and_files_are_never_written() {
    let mut huge = "[".repeat(300_000);
    huge.push_str("]{#x}\n");
    let ws = workspace(&[
        ("mica.toml", "[sources.bin]\npath = \"bin.dat\"\n"),
        ("huge.mica", &huge),
        ("unterminated.mica", "[A]{#a note=\"never closed\n"),
        ("claims.mica", "[A]{#a cite=bin:\"x\"}\n"),
    ]);
    std::fs::write(ws.path().join("bin.dat"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    std::fs::write(
        ws.path().join("latin1.mica"),
        b"[Caf\xe9]{#a cite=bin:L1}\n",
    )
    .unwrap();
    let snapshot = |dir: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
            .collect();
        v.sort();
        v
    };
    let before = snapshot(ws.path());
    for format in ["human", "json", "sarif", "github"] {
        let o = mica(ws.path(), &["check", "--format", format]);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
    assert_eq!(
        before,
        snapshot(ws.path()),
        "mica check must not write to the workspace"
    );
    let v = json(&mica(ws.path(), &["check", "--format", "json"]));
    let text = v.to_string();
    assert!(text.contains("not valid UTF-8 text"), "{text}");
    assert!(text.contains("looks binary"), "{text}");
    assert!(text.contains("unterminated string"), "{text}");
}

#[test]
fn a_folder_argument_checks_what_it_holds_and_respects_excludes() {
    let ws = workspace(&[
        ("mica.toml", "[workspace]\nexclude = [\"drafts\"]\n"),
        ("a/one.mica", "[A]{#a}\n"),
        ("a/b/two.mica", "[B]{#b}\n"),
        ("drafts/three.mica", "[C]{#c}\n"),
        ("a/notes.txt", "not mica"),
    ]);
    let v = json(&mica(ws.path(), &["check", "--format", "json"]));
    assert_eq!(v["files"], 2);
    let v = json(&mica(
        &ws.path().join("a/b"),
        &["check", "--format", "json", "."],
    ));
    assert_eq!(v["files"], 1);
    assert_eq!(v["diagnostics"][0]["file"], "a/b/two.mica");
}

#[test]
fn the_readme_example_is_true() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let block = readme
        .split("```mica\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a mica block in the README");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("example.mica");
    std::fs::write(&good, block).unwrap();
    let root = repo();
    let o = mica(
        &root,
        &[
            "check",
            "--format",
            "json",
            "--root",
            root.to_str().unwrap(),
            good.to_str().unwrap(),
        ],
    );
    let v = json(&o);
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(o.status.code(), Some(0));
    // The README also shows what an altered figure gives.
    let bad = dir.path().join("altered.mica");
    std::fs::write(&bad, block.replace("$300 billion", "$400 billion")).unwrap();
    let out = stdout(&mica(
        &root,
        &[
            "check",
            "--root",
            root.to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
    ));
    let shown = readme
        .lines()
        .find(|l| l.starts_with("[quote-not-found]"))
        .unwrap();
    assert!(
        out.contains(shown),
        "README shows:\n{shown}\nmica prints:\n{out}"
    );
}

#[test]
fn each_path_is_checked_in_the_workspace_above_it() {
    let ws = workspace(&[
        (
            "docs/briefs/mica.toml",
            "[sources.a]\npath = \"seeds/a.txt\"\n",
        ),
        ("docs/briefs/seeds/a.txt", SOURCE),
        (
            "docs/briefs/b.mica",
            "[x]{#c1 cite=a:\"the CCP invested more than $300 billion\"}\n",
        ),
        ("other/mica.toml", "[sources.o]\npath = \"o.txt\"\n"),
        ("other/o.txt", SOURCE),
        ("other/c.mica", "[y]{#c1 cite=o:\"$400 billion\"}\n"),
    ]);
    let o = mica(
        ws.path(),
        &["check", "--format", "json", "docs/briefs", "other/c.mica"],
    );
    let v = json(&o);
    assert_eq!(v["files"], 2, "{v}");
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{v}");
    assert_eq!(diags[0]["code"], "quote-not-found");
    assert_eq!(diags[0]["file"], "c.mica");
    assert_eq!(diags[0]["path"], "other/c.mica");
    // GitHub and SARIF name files from where mica runs (the repository checkout).
    let gh = stdout(&mica(
        ws.path(),
        &["check", "--format", "github", "docs/briefs", "other"],
    ));
    assert!(gh.contains("file=other/c.mica,"), "{gh}");
    let sarif = json(&mica(ws.path(), &["check", "--format", "sarif", "other"]));
    let loc =
        &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], "other/c.mica");
}

#[test]
fn naming_an_excluded_folder_checks_it_and_a_file_named_twice_counts_once() {
    let ws = workspace(&[
        ("mica.toml", "[workspace]\nexclude = [\"faults\"]\n"),
        ("faults/a.mica", "[A]{#a}\n"),
        ("faults/inner/b.mica", "[B]{#b}\n"),
        ("sub/ok.mica", "[C]{#c}\n"),
    ]);
    assert_eq!(
        json(&mica(ws.path(), &["check", "--format", "json"]))["files"],
        1
    );
    assert_eq!(
        json(&mica(ws.path(), &["check", "--format", "json", "faults"]))["files"],
        2
    );
    let v = json(&mica(
        ws.path(),
        &[
            "check",
            "--format",
            "json",
            "sub/ok.mica",
            "./sub/../sub/ok.mica",
        ],
    ));
    assert_eq!(v["files"], 1);
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 1);
}

#[test]
fn the_number_of_jobs_does_not_change_the_report() {
    let faults = repo().join("spec/examples/faults");
    let faults = faults.to_str().unwrap();
    let one = mica(&repo(), &["check", "--format", "json", "-j", "1", faults]);
    let many = mica(
        &repo(),
        &["check", "--format", "json", "--jobs", "3", faults],
    );
    assert_eq!(stdout(&one), stdout(&many));
    assert!(stdout(&one).contains("closest passage"), "{}", stdout(&one));
    let zero = mica(&repo(), &["check", "--jobs", "0"]);
    assert_eq!(zero.status.code(), Some(2));
}

/// A brief over a megabyte is parsed in pieces on several threads: the report is the one a
/// single thread gives, which parses it whole.
#[test]
fn a_large_brief_checks_the_same_on_one_thread_and_on_four() {
    let mut brief = String::from("---\ntitle: Large\n---\n\n@source art \"a.txt\"\n\n");
    let mut k: usize = 0;
    while brief.len() < 1_300_000 {
        brief.push_str(&format!(
            "## Part {k}\n\nProse before [claim {k} invested]{{#c{k} p=likely supports=#c{}\n  \
             cite=art:\"invested more than\"}} and after.\n\n<!-- a comment\n\nover paragraphs -->\n\n\
             [bad {k}]{{#b{k} \"a string without a key\"}}\n\n[c]{{#c{k}}}\n\n",
            k.saturating_sub(1)
        ));
        k += 1;
    }
    let ws = workspace(&[("a.txt", SOURCE), ("big.mica", &brief)]);
    let one = mica(
        ws.path(),
        &["check", "--jobs", "1", "--format", "json", "big.mica"],
    );
    let four = mica(
        ws.path(),
        &["check", "--jobs", "4", "--format", "json", "big.mica"],
    );
    let v = json(&one);
    let syntax = (v["diagnostics"].as_array().unwrap().iter())
        .filter(|d| d["code"] == "syntax-error")
        .count();
    assert!(syntax > 1000, "{syntax} syntax errors");
    assert_eq!(stdout(&one), stdout(&four));
    assert_eq!(one.status.code(), four.status.code());
    // The human report draws its snippets in parallel, 64 to a task: they come out in the
    // order of the JSON report's diagnostics, each once.
    let human = mica(
        ws.path(),
        &["check", "--jobs", "4", "--color", "never", "big.mica"],
    );
    let headers: Vec<String> = (stdout(&human).lines())
        .filter_map(|l| l.split_once("╭─[ big.mica:"))
        .map(|(_, at)| at.trim_end_matches(" ]").to_string())
        .collect();
    let expected: Vec<String> = (v["diagnostics"].as_array().unwrap().iter())
        .map(|d| {
            format!(
                "{}:{}",
                d["range"]["start"]["line"], d["range"]["start"]["column"]
            )
        })
        .collect();
    assert_eq!(headers, expected);
}
