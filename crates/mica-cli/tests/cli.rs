//! End-to-end tests of the `mica` binary: exit codes, every report format, the example
//! workspace, the fault gallery, security (paths outside the root) and bad input.
//!
//! Length: about 590 lines, 18 tests that each run the real binary on a workspace of their
//! own, with the helpers in `common/`. `--fix`, `mica render`, CI behaviour and races have
//! files of their own; the next split, if this grows, is the report formats into one file.

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
fn json_report_has_the_documented_shape() {
    let ws = workspace(&[
        ("mica.toml", "[sources.s]\npath = \"s.txt\"\n"),
        ("s.txt", SOURCE),
        (
            "d.mica",
            "# 中文 😀\n[Wrong]{#a cite=s:\"the CCP invested more than $400 billion\"}\n",
        ),
    ]);
    let v = json(&mica(ws.path(), &["check", "--format", "json"]));
    assert_eq!(v["version"], 1);
    assert_eq!(v["files"], 1);
    assert_eq!(v["claims"], 1);
    assert_eq!(v["citations"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["file"], "d.mica");
    assert_eq!(d["code"], "quote-not-found");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        d["range"]["start"],
        serde_json::json!({"line": 2, "column": 19})
    );
    assert_eq!(d["suggestion"], "the CCP invested more than $300 billion");
    assert_eq!(d["related"][0]["file"], "s.txt");
    assert_eq!(d["related"][0]["range"]["start"]["line"], 1);
}

#[test]
fn human_report_shows_snippet_code_passage_and_summary() {
    let ws = workspace(&[
        ("mica.toml", "[sources.s]\npath = \"s.txt\"\n"),
        ("s.txt", SOURCE),
        (
            "d.mica",
            "[Wrong]{#a cite=s:\"the CCP invested more than $400 billion\"}\n",
        ),
    ]);
    let o = mica(ws.path(), &["check"]);
    let out = stdout(&o);
    assert!(out.contains("[quote-not-found]"), "{out}");
    assert!(out.contains("d.mica:1:19"), "{out}");
    assert!(
        out.contains(
            "the closest passage, on line 1, reads \"the CCP invested more than $300 billion\""
        ),
        "{out}"
    );
    assert!(out.contains("closest passage: s.txt:1:18"), "{out}");
    assert!(
        out.trim_end()
            .ends_with("Checked 1 file: 1 claim, 1 citation; 1 error, 0 warnings, 0 infos."),
        "{out}"
    );
    assert!(
        !out.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    let coloured = stdout(&mica(ws.path(), &["check", "--color", "always"]));
    assert!(coloured.contains('\u{1b}'));
}

#[test]
fn sarif_report_is_valid_for_code_scanning() {
    let ws = workspace(&[
        ("mica.toml", "[sources.s]\npath = \"s.txt\"\n"),
        ("s.txt", SOURCE),
        (
            "d.mica",
            "[Wrong]{#a cite=s:\"$400 billion\"}\n[Uncited]{#b}\n",
        ),
    ]);
    let v = json(&mica(ws.path(), &["check", "--format", "sarif"]));
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 21, "one rule per diagnostic code");
    assert!(rules.iter().all(|r| r["id"].is_string()
        && r["shortDescription"]["text"].is_string()
        && r["help"]["text"].is_string()));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], id);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "d.mica");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[1]["level"], "warning");
}

#[test]
fn github_report_is_workflow_commands() {
    let ws = workspace(&[
        ("mica.toml", "[sources.s]\npath = \"s.txt\"\n"),
        ("s.txt", SOURCE),
        (
            "d.mica",
            "[Wrong]{#a cite=s:\"$400 billion\"}\n[Uncited]{#b}\n",
        ),
    ]);
    let out = stdout(&mica(ws.path(), &["check", "--format", "github"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(
            "::error file=d.mica,line=1,col=19,endLine=1,endColumn=33,title=mica quote-not-found::"
        ),
        "{out}"
    );
    assert!(
        lines[1].starts_with("::warning file=d.mica,line=2,col=2,"),
        "{out}"
    );
}

#[cfg(unix)]
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
fn sarif_uris_are_encoded_and_fingerprints_distinct() {
    let ws = workspace(&[
        ("mica.toml", ""),
        ("my briefs/brief #1.mica", "[a]{conf=low}\n[a]{conf=low}\n"),
    ]);
    let v = json(&mica(ws.path(), &["check", "--format", "sarif"]));
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "my%20briefs/brief%20%231.mica");
    assert_ne!(
        results[0]["partialFingerprints"],
        results[1]["partialFingerprints"]
    );
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

/// The human report of a brief whose long lines get no snippet, around short ones that do
/// (and a claim spanning a short line and a long one, which shows both), with a terminal
/// escape and accented letters on the long lines, in LF and in CRLF. The expected reports were
/// made before ariadne was given only the lines it prints, and must not change.
#[test]
fn snippets_among_long_lines_are_as_before() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/human");
    let brief = std::fs::read_to_string(dir.join("long-lines.brief")).unwrap();
    let ws = workspace(&[
        ("mica.toml", "[workspace]\n"),
        ("brief.mica", &brief),
        ("crlf.mica", &brief.replace('\n', "\r\n")),
    ]);
    for (file, expected) in [
        ("brief.mica", "long-lines.expected"),
        ("crlf.mica", "long-lines.crlf.expected"),
    ] {
        let out = stdout(&mica(ws.path(), &["check", "--color", "never", file]));
        let expected = std::fs::read_to_string(dir.join(expected)).unwrap();
        assert_eq!(out, expected, "{file}");
    }
    // Found by an adversarial review: a long line after a line that ends with a lone CR, and
    // that ends with an LF itself. Without its content, CR and LF would read as one line break.
    let ws = workspace(&[
        ("mica.toml", "[workspace]\n"),
        ("b.mica", &format!("a\r{}\n[c]{{#a}}\n", "x".repeat(401))),
    ]);
    let out = stdout(&mica(ws.path(), &["check", "--color", "never", "b.mica"]));
    assert!(out.contains("╭─[ b.mica:3:2 ]"), "{out}");
    assert!(out.contains(" 3 │ [c]{#a}"), "{out}");
}

/// The positions a report gives in sources are a reader's: lines end at "\n", "\r\n" or a lone
/// "\r", columns count characters (not bytes), and a byte-order mark is not counted. The batch
/// check finds them while it reads each source, so the report does not read the sources again.
#[test]
fn positions_in_sources_are_a_reader_s_lines_and_columns() {
    let a = "\u{feff}one two one two\r\nThe fund held $300 billion in \u{1d11e} reserves.\r\n\
             Again: \u{e9} fund held $300 billion.\rLast x, Last x.\n";
    let b = "Zwei \u{1d11e} W\u{f6}rter.\nPassage only in b here.\n";
    let doc = "[A]{#a cite=a:\"one two\"}\n[B]{#b cite=a:\"fund held $300 billion\"}\n\
               [C]{#c cite=a:\"fund held $400 billion in \u{1d11e} reserves\"}\n\
               [D]{#d cite=a:\"only in b\"}\n[E]{#e cite=a:\"Last x\"}\n";
    let d = workspace(&[
        (
            "mica.toml",
            "[sources.a]\npath = \"a.txt\"\n[sources.b]\npath = \"b.txt\"\n",
        ),
        ("a.txt", a),
        ("b.txt", b),
        ("d.mica", doc),
    ]);
    let report = json(&mica(d.path(), &["check", "--format", "json"]));
    let mut related: Vec<(String, String, [u64; 4])> = Vec::new();
    for diag in report["diagnostics"].as_array().unwrap() {
        for r in diag["related"].as_array().into_iter().flatten() {
            let at = |end: &str, key: &str| r["range"][end][key].as_u64().unwrap();
            related.push((
                r["file"].as_str().unwrap().to_string(),
                r["message"].as_str().unwrap().to_string(),
                [
                    at("start", "line"),
                    at("start", "column"),
                    at("end", "line"),
                    at("end", "column"),
                ],
            ));
        }
    }
    let find = |file: &str, message: &str| -> [u64; 4] {
        related
            .iter()
            .find(|(f, m, _)| f == file && m.starts_with(message))
            .unwrap_or_else(|| panic!("no {message:?} in {file}: {related:#?}"))
            .2
    };
    // After the byte-order mark, on the first line.
    assert!(
        related
            .iter()
            .any(|r| r.0 == "a.txt" && r.2 == [1, 1, 1, 8]),
        "{related:#?}"
    );
    // After a "\r\n" and before a four-byte character.
    assert!(
        related
            .iter()
            .any(|r| r.0 == "a.txt" && r.2 == [2, 5, 2, 27]),
        "{related:#?}"
    );
    // After a lone "\r".
    assert!(
        related
            .iter()
            .any(|r| r.0 == "a.txt" && r.2 == [4, 1, 4, 7]),
        "{related:#?}"
    );
    // The closest passage to the altered quote starts where the quote does.
    let closest = find("a.txt", "closest passage");
    assert_eq!(closest[..2], [2, 5], "{related:#?}");
    // Where the quote really is, in the other source, after a line of wide characters.
    assert_eq!(find("b.txt", "the quote is here"), [2, 9, 2, 18]);
}
