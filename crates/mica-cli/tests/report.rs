//! End-to-end tests of the `mica` binary's reports: the JSON, human, SARIF and GitHub formats,
//! their snippets, and the positions they give in documents and sources.

mod common;

use common::*;
use std::path::Path;

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
