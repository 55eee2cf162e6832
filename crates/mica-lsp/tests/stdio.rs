//! End-to-end tests of `mica lsp` over standard input and output: the lifecycle and exit
//! status, versioned diagnostics, a burst of incremental edits, position encodings, bad input,
//! the workspace each document is checked in, untitled buffers, file watchers,
//! and the workspace-wide check. The binary is found through `MICA_BIN` or next to the test
//! executable (`cargo build -p mica-cli` first).
//!
//! Length: about 620 lines, each test a session with one real server; they share the client
//! in `common/`, and the next split, if it grows, is one file per protocol area (lifecycle
//! and bad input, editing, workspaces and watchers).

mod common;

use common::{Client, uri, utf16_pos, workspace, xorshift};
use serde_json::{Value, json};
use std::time::Duration;

const UTF16_ONLY: &str = r#"{"textDocument": {"publishDiagnostics": {"versionSupport": true, "relatedInformation": true}}}"#;

fn caps(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn lifecycle_diagnostics_hover_definition_and_clean_exit() {
    let ws = workspace();
    let mut c = Client::spawn(ws.path());
    let init = c.initialize(ws.path(), caps(UTF16_ONLY));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2);
    let doc = ws.path().join("brief.mica");
    let u = uri(&doc);
    let text = "[Signed in 2015]{#s cite=art:\"signed by Premier Li Keqiang in June 2015\"}\n";
    c.open(&u, text, 1);
    let diags = c.diagnostics(&u, Some(1));
    assert_eq!(codes(&diags), ["quote-not-found"]);
    let related = &diags[0]["relatedInformation"][0];
    assert!(
        related["location"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/article.txt")
    );
    assert_eq!(related["location"]["range"]["start"]["line"], 2);
    assert!(diags[0].get("codeDescription").is_none());

    // Fix the quote with an incremental edit: "June" -> "May".
    let col = text.find("June").unwrap() as u32;
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": u, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 0, "character": col}, "end": {"line": 0, "character": col + 4}}, "text": "May"}],
        }),
    );
    assert!(c.diagnostics(&u, Some(2)).is_empty());

    let pos = json!({"line": 0, "character": col});
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": pos}),
    );
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("**signed by Premier Li Keqiang in May 2015**"),
        "{md}"
    );
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": u}, "position": pos}),
    );
    let loc = &def[0];
    assert!(loc["uri"].as_str().unwrap().ends_with("/article.txt"));
    assert_eq!(loc["range"]["start"]["line"], 2);

    // Closing a file that is not on disk clears its diagnostics.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [{"text": "[x]{cite=nope}"}]}),
    );
    assert_eq!(codes(&c.diagnostics(&u, Some(3))), ["unknown-source"]);
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    // The clearing publish has no version (the document is gone). The background workspace
    // scan may have re-published an earlier version of the open document too, so look for the
    // versionless one rather than the first empty one.
    let cleared = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && p["version"].is_null()
    });
    assert_eq!(cleared["diagnostics"], json!([]));
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn exit_without_shutdown_fails() {
    let ws = workspace();
    let mut c = Client::spawn(ws.path());
    c.initialize(ws.path(), caps(UTF16_ONLY));
    c.notify("exit", Value::Null);
    assert_eq!(c.wait().code(), Some(1));
}

/// The server tells each document's cache what changed instead of handing it a text to
/// compare: after random edits (several changes in one notification, some waited for, some in
/// bursts, now and then the whole text), the last diagnostics are those of a server that opens
/// the final text afresh. The document is on disk, so the workspace scan reads it first and
/// the opened text (one character other) is told as a change of the scanned one.
#[test]
fn edited_diagnostics_are_those_of_the_final_text_opened_afresh() {
    let ws = workspace();
    let path = ws.path().join("edited.mica");
    let u = uri(&path);
    let mut text = String::from(
        "# Edited 中文\n\n[A claim]{#a p=likely cite=art:\"invested more than\"}\n\n\
         [Another]{#b supports=#a cite=art:\"signed by Premier\"}\n\n<!-- note -->\n\n\
         [Third]{#c cite=art:\"33 innovation\"}\n",
    );
    std::fs::write(&path, &text).unwrap();
    // A second brief, so that the scan reports its progress (it does from two documents on).
    std::fs::write(ws.path().join("other.mica"), "[Other]{#o}\n").unwrap();
    let mut c = Client::spawn(ws.path());
    let mut scan_reported = caps(UTF16_ONLY);
    scan_reported["window"] = json!({"workDoneProgress": true});
    c.initialize(ws.path(), scan_reported);
    c.wait_for("$/progress", |p| p["value"]["kind"] == "end");
    text = text.replace("33 innovation", "34 innovation");
    c.open(&u, &text, 0);
    assert!(codes(&c.diagnostics(&u, Some(0))).contains(&"quote-not-found".to_string()));
    let pieces = [
        "x",
        "中",
        "😀",
        "\n",
        "\n\n",
        "[",
        "]{",
        "\"",
        " ",
        "é",
        "",
        "<!--",
        "-->",
        "#a",
        " cite=art:\"more than\"",
        " supports=#b",
        "---\n",
        "}",
    ];
    let mut next = xorshift(0x2545_f491_4f6c_dd1d);
    // Not a multiple of 5, so that its diagnostics are still to come after the loop.
    let last = 402;
    for version in 1..=last {
        let mut changes = Vec::new();
        for _ in 0..1 + next(3) {
            let bounds: Vec<usize> = (text.char_indices().map(|(i, _)| i))
                .chain([text.len()])
                .collect();
            let a = bounds[next(bounds.len())];
            let b = (bounds.iter().copied())
                .filter(|&x| x >= a)
                .nth(next(4))
                .unwrap_or(a);
            let insert = pieces[next(pieces.len())];
            changes.push(json!({"range": {"start": utf16_pos(&text, a), "end": utf16_pos(&text, b)}, "text": insert}));
            text.replace_range(a..b, insert);
        }
        // As a client that syncs whole texts sends them.
        if next(8) == 0 {
            changes = vec![json!({"text": text})];
        }
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": changes}),
        );
        if version % 5 == 0 {
            c.diagnostics(&u, Some(version));
        }
    }
    let edited = c.diagnostics(&u, Some(last));
    assert!(c.shutdown_and_exit().success());
    // Not on disk for the second server: it checks the text from scratch.
    std::fs::remove_file(&path).unwrap();
    let mut fresh = Client::spawn(ws.path());
    fresh.initialize(ws.path(), caps(UTF16_ONLY));
    fresh.open(&u, &text, 0);
    assert_eq!(edited, fresh.diagnostics(&u, Some(0)), "for {text:?}");
    assert!(fresh.shutdown_and_exit().success());
}

#[test]
fn a_burst_of_a_thousand_edits_ends_with_the_clients_text() {
    let ws = workspace();
    let mut c = Client::spawn(ws.path());
    c.initialize(ws.path(), caps(UTF16_ONLY));
    let u = uri(&ws.path().join("burst.mica"));
    let mut text =
        String::from("# Burst 中文 😀\n\n[A claim]{#a cite=art:\"invested more than\"}\n");
    c.open(&u, &text, 0);
    let pieces = ["x", "中", "😀", "\n", "[", "]{", "\"", " ", "é", ""];
    let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
    for version in 1..=1000 {
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        let a = bounds[next(bounds.len())];
        let b = bounds[next(bounds.len())];
        let (a, b) = (a.min(b), a.max(b));
        // Mostly small deletions: keep the text from growing or vanishing.
        let b = if b - a > 6 { a } else { b };
        let insert = pieces[next(pieces.len())];
        let change = json!({"range": {"start": utf16_pos(&text, a), "end": utf16_pos(&text, b)}, "text": insert});
        text.replace_range(a..b, insert);
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [change]}),
        );
    }
    let state = c.request("mica/documentState", json!({"uri": u}));
    assert_eq!(state["version"], 1000);
    assert_eq!(state["length"], text.len());
    assert_eq!(
        state["fnv1a"],
        format!("{:016x}", mica_lsp::fnv1a(text.bytes()))
    );
    // The last version's diagnostics arrive, versions never go back, and none for a
    // superseded version come after the last.
    c.diagnostics(&u, Some(1000));
    let versions: Vec<i64> = c
        .inbox
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u)
        .filter_map(|m| m["params"]["version"].as_i64())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{versions:?}");
    c.inbox.clear();
    let late = c.try_wait_for(
        "textDocument/publishDiagnostics",
        Duration::from_millis(300),
        |p| p["uri"] == u && p["version"].as_i64().is_some_and(|v| v < 1000),
    );
    assert!(
        late.is_none(),
        "stale diagnostics after the last version: {late:?}"
    );
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn utf8_is_negotiated_when_offered() {
    let ws = workspace();
    let mut c = Client::spawn(ws.path());
    let init = c.initialize(
        ws.path(),
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let u = uri(&ws.path().join("u.mica"));
    let text = "[中文 😀]{#c cite=nope}\n";
    c.open(&u, text, 1);
    let diags = c.diagnostics(&u, Some(1));
    let start = text.find("nope").unwrap();
    assert_eq!(diags[0]["range"]["start"]["character"], start);
    assert_eq!(diags[0]["range"]["end"]["character"], start + 4);
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn bad_input_never_stops_the_server() {
    let ws = workspace();
    let mut c = Client::spawn(ws.path());
    c.initialize(ws.path(), caps(UTF16_ONLY));
    // Malformed JSON, a body that is not a message, a header without a length.
    c.send_raw(b"Content-Length: 12\r\n\r\n{not json!!}");
    c.send_raw(b"Content-Length: 2\r\n\r\n[]");
    c.send_raw(b"Content-Type: nothing\r\n\r\n");
    c.send_raw(b"Content-Length: 41\r\nContent-Type: text/plain; charset=latin1\r\n\r\n");
    c.send_raw(br#"{"jsonrpc":"2.0","id":"x","method":"foo"}"#);
    // Each malformed message is answered with an error.
    for code in [-32700, -32600, -32700] {
        let m = c.wait_for_response(|m| m["error"]["code"] == code);
        assert!(m["id"].is_null(), "{m}");
    }
    let m = c.wait_for_response(|m| m["id"] == "x");
    assert_eq!(m["error"]["code"], -32601);
    // Unknown methods: a request gets an error, a notification is ignored.
    let id = c.send_request("mica/noSuchMethod", json!({}));
    let r = c.response(id);
    assert_eq!(r["error"]["code"], -32601);
    c.notify("mica/noSuchNotification", json!({"x": 1}));
    // Requests about documents that are not open.
    let ghost = uri(&ws.path().join("ghost.mica"));
    let pos = json!({"textDocument": {"uri": ghost}, "position": {"line": 0, "character": 0}});
    assert!(c.request("textDocument/hover", pos.clone()).is_null());
    assert!(c.request("textDocument/definition", pos.clone()).is_null());
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ghost, "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    // Positions far past the end, binary content, a huge document.
    let u = uri(&ws.path().join("b.mica"));
    c.open(&u, "ab\u{0}\u{1}\u{fffd}[x]{cite=art}", 1);
    let far = json!({"textDocument": {"uri": u}, "position": {"line": 4_000_000_000u32, "character": 4_000_000_000u32}});
    c.request("textDocument/hover", far.clone());
    c.request("textDocument/completion", far.clone());
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"range": {"start": {"line": 99, "character": 99}, "end": {"line": 0, "character": 1}}, "text": "Z"}]}),
    );
    let state = c.request("mica/documentState", json!({"uri": u}));
    assert_eq!(state["version"], 2);
    let huge = uri(&ws.path().join("huge.mica"));
    let big = "[claim]{cite=art:L1} word ".repeat(200_000);
    c.open(&huge, &big, 1);
    // A cheap request is still answered while the huge document is analysed.
    let t = std::time::Instant::now();
    c.request("mica/documentState", json!({"uri": u}));
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(c.alive());
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn a_duplicated_top_level_key_is_answered_and_the_session_goes_on() {
    let ws = workspace();
    let mut c = Client::spawn(ws.path());
    c.initialize(ws.path(), caps(UTF16_ONLY));
    let body =
        br#"{"jsonrpc":"2.0","id":2,"id":3,"method":"workspace/symbol","params":{"query":""}}"#;
    let mut msg = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    msg.extend_from_slice(body);
    c.send_raw(&msg);
    let m = c.wait_for_response(|m| m["error"]["code"] == -32600);
    assert!(m["id"].is_null(), "{m}");
    let r = c.request("workspace/symbol", json!({"query": ""}));
    assert!(r.is_array(), "{r}");
    assert!(c.alive());
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn an_overstated_content_length_resynchronises_on_the_next_header() {
    let ws = workspace();
    let mut c = Client::spawn(ws.path());
    c.initialize(ws.path(), caps(UTF16_ONLY));
    let body =
        br#"{"jsonrpc":"2.0","id":"lost","method":"workspace/symbol","params":{"query":""}}"#;
    let mut msg = format!("Content-Length: {}\r\n\r\n", body.len() + 200).into_bytes();
    msg.extend_from_slice(body);
    c.send_raw(&msg);
    // The next request is answered, although the first announced 200 more bytes than it had.
    let r = c.request("workspace/symbol", json!({"query": ""}));
    assert!(r.is_array(), "{r}");
    let m = c.wait_for_response(|m| m["error"]["code"] == -32700);
    assert!(m["id"].is_null(), "{m}");
    // And the session goes on as before.
    let u = uri(&ws.path().join("r.mica"));
    c.open(&u, "[x]{cite=nope}\n", 1);
    assert_eq!(codes(&c.diagnostics(&u, Some(1))), ["unknown-source"]);
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn a_content_length_over_the_limit_resynchronises_on_the_next_header() {
    let ws = workspace();
    let mut c = Client::spawn(ws.path());
    c.initialize(ws.path(), caps(UTF16_ONLY));
    // Over the 512 MiB limit, so the body is skipped rather than read; the bytes it announced
    // never come, and the next request must still be answered.
    let body =
        br#"{"jsonrpc":"2.0","id":"lost","method":"workspace/symbol","params":{"query":""}}"#;
    let mut msg = b"Content-Length: 600000000\r\n\r\n".to_vec();
    msg.extend_from_slice(body);
    c.send_raw(&msg);
    let r = c.request("workspace/symbol", json!({"query": ""}));
    assert!(r.is_array(), "{r}");
    let m = c.wait_for_response(|m| m["error"]["code"] == -32600);
    assert!(m["id"].is_null(), "{m}");
    assert!(c.shutdown_and_exit().success());
}

/// The `file:` URI of `rest` spelled through `sub/..` steps (the dots percent-encoded, which
/// URI parsers do not resolve) that climb out of `ws`.
fn dotted_uri(ws: &std::path::Path, climb: usize, rest: &str) -> String {
    let mut u = uri(ws);
    for _ in 0..climb {
        u.push_str("/sub");
    }
    for _ in 0..=climb {
        u.push_str("/%2E%2E");
    }
    format!("{u}/{rest}")
}

#[test]
fn a_uri_with_dot_dot_reaches_nothing_outside_the_workspace() {
    let base = tempfile::tempdir().unwrap();
    let ws = base.path().join("ws");
    // The folders exist, so that the file system resolves the `..` steps.
    std::fs::create_dir_all(ws.join("sub/sub")).unwrap();
    for (name, text) in [
        ("mica.toml", "[sources.art]\npath = \"article.txt\"\n"),
        ("article.txt", "Some words.\n"),
    ] {
        std::fs::write(ws.join(name), text).unwrap();
    }
    std::fs::write(base.path().join("outside.mica"), "[leak]{cite=nope}\n").unwrap();
    std::fs::write(base.path().join("secret.txt"), "the secret words\n").unwrap();
    let mut c = Client::spawn(&ws);
    c.initialize(&ws, caps(UTF16_ONLY));
    // A document named through `..`: closing it never reads the outside file it names.
    let out = dotted_uri(&ws, 1, "outside.mica");
    c.open(&out, "[x]{cite=art}\n", 1);
    c.diagnostics(&out, Some(1));
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": out}}),
    );
    let p = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == out && p["version"].is_null()
    });
    assert_eq!(p["diagnostics"], json!([]), "{p}");
    // An open buffer outside the root does not stand in for a source the disk refuses.
    let secret = dotted_uri(&ws, 2, "secret.txt");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": secret, "languageId": "plaintext", "version": 1, "text": "the secret words\n"}}),
    );
    let u = uri(&ws.join("b.mica"));
    c.open(
        &u,
        "@source s \"../secret.txt\"\n\n[x]{#x cite=s:\"secret words\"}\n",
        1,
    );
    let mut diags = c.diagnostics(&u, Some(1));
    // The buffer reaches the sources after a workspace reload, which may re-check it.
    while let Some(p) = c.try_wait_for(
        "textDocument/publishDiagnostics",
        Duration::from_millis(500),
        |p| p["uri"] == u,
    ) {
        diags = p["diagnostics"].as_array().cloned().unwrap_or_default();
    }
    assert_eq!(codes(&diags), ["source-outside-root"]);
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn workspace_files_and_mica_toml_are_checked_on_startup() {
    let ws = workspace();
    std::fs::create_dir(ws.path().join("notes")).unwrap();
    let closed = ws.path().join("notes/closed.mica");
    std::fs::write(&closed, "[Uncited claim]{#u}\n").unwrap();
    std::fs::write(
        ws.path().join("mica.toml"),
        "[workspace]\ndocs-url = \"https://example.org/spec/diagnostics.md\"\n\n[sources.art]\npath = \"article.txt\"\nreliability = \"Z\"\n",
    )
    .unwrap();
    let mut c = Client::spawn(ws.path());
    c.initialize(ws.path(), caps(UTF16_ONLY));
    let d = c.diagnostics(&uri(&closed), None);
    assert_eq!(codes(&d), ["uncited-claim"]);
    assert_eq!(
        d[0]["codeDescription"]["href"],
        "https://example.org/spec/diagnostics.md#uncited-claim"
    );
    let toml = c.diagnostics(&uri(&ws.path().join("mica.toml")), None);
    assert_eq!(codes(&toml), ["invalid-value"]);
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn a_changed_source_on_disk_rechecks_open_documents() {
    let ws = workspace();
    let mut c = Client::spawn(ws.path());
    c.initialize(
        ws.path(),
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    let u = uri(&ws.path().join("w.mica"));
    c.open(&u, "[x]{cite=art:\"a sentence added later\"}\n", 1);
    assert_eq!(codes(&c.diagnostics(&u, Some(1))), ["quote-not-found"]);
    let article = ws.path().join("article.txt");
    let mut text = std::fs::read_to_string(&article).unwrap();
    text.push_str("Here is a sentence added later.\n");
    std::fs::write(&article, text).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&article), "type": 2}]}),
    );
    let p = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == u && p["diagnostics"].as_array().is_some_and(|d| d.is_empty())
    });
    assert_eq!(p["version"], 1);
    // The server asks to watch .mica files, mica.toml and the declared source: after it has
    // published the document's first diagnostics, so possibly after the second ones.
    let reg = c.wait_for("client/registerCapability", |_| true);
    let globs = reg["registrations"][0]["registerOptions"]["watchers"].to_string();
    for g in ["**/*.mica", "**/mica.toml", "article.txt"] {
        assert!(globs.contains(g), "{globs}");
    }
    assert!(c.shutdown_and_exit().success());
}

/// A workspace folder `name` under `parent`, declaring `id` as `file` with `text`.
fn sub_workspace(parent: &std::path::Path, name: &str, id: &str, file: &str, text: &str) {
    let dir = parent.join(name);
    std::fs::create_dir_all(dir.join("notes")).unwrap();
    std::fs::write(
        dir.join("mica.toml"),
        format!("[sources.{id}]\npath = \"{file}\"\nreliability = \"B\"\n"),
    )
    .unwrap();
    std::fs::write(dir.join(file), text).unwrap();
}

#[test]
fn each_document_is_checked_in_the_workspace_of_its_nearest_mica_toml() {
    // The client's root is the parent of two workspaces and holds no `mica.toml`.
    let parent = tempfile::tempdir().unwrap();
    sub_workspace(
        parent.path(),
        "one",
        "alpha",
        "a.txt",
        "The river rose by ten metres.\n",
    );
    sub_workspace(
        parent.path(),
        "two",
        "beta",
        "b.txt",
        "The bridge opened in 1932.\n",
    );
    let closed = parent.path().join("two/notes/closed.mica");
    std::fs::write(&closed, "[Opened]{#o cite=beta:\"opened in 1999\"}\n").unwrap();
    let mut c = Client::spawn(parent.path());
    c.initialize(parent.path(), caps(UTF16_ONLY));
    // A document deep in a workspace resolves the sources of that workspace.
    let one = uri(&parent.path().join("one/notes/brief.mica"));
    c.open(&one, "[Rose]{#r cite=alpha:\"rose by ten metres\"}\n", 1);
    assert!(c.diagnostics(&one, Some(1)).is_empty());
    // Next to it, another workspace's sources are its own, not the first one's.
    let two = uri(&parent.path().join("two/brief.mica"));
    c.open(
        &two,
        "[Opened]{#o cite=beta:\"opened in 1932\"}\n[Rose]{#r cite=alpha:\"rose\"}\n",
        1,
    );
    let d = c.diagnostics(&two, Some(1));
    assert_eq!(codes(&d), ["unknown-source"]);
    assert_eq!(d[0]["range"]["start"]["line"], 1);
    // A closed file of the second workspace is checked there, with its quote in `b.txt`.
    let d = c.diagnostics(&uri(&closed), None);
    assert_eq!(codes(&d), ["quote-not-found"]);
    assert!(
        d[0]["relatedInformation"][0]["location"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/two/b.txt"),
        "{d:?}"
    );
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn an_untitled_buffer_is_checked_in_the_initialize_workspace() {
    let ws = workspace();
    let mut c = Client::spawn(ws.path());
    c.initialize(ws.path(), caps(UTF16_ONLY));
    let u = "untitled:Untitled-1";
    c.open(
        u,
        "[x]{cite=art:\"invested more than\"}\n[y]{cite=nope}\n",
        1,
    );
    assert_eq!(codes(&c.diagnostics(u, Some(1))), ["unknown-source"]);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 16}}),
    );
    assert!(hover["contents"]["value"].is_string(), "{hover}");
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn a_source_declared_while_editing_is_watched() {
    let ws = workspace();
    std::fs::write(ws.path().join("extra.txt"), "Some extra words.\n").unwrap();
    let mut c = Client::spawn(ws.path());
    c.initialize(
        ws.path(),
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    let u = uri(&ws.path().join("w.mica"));
    c.open(&u, "[x]{cite=art:\"invested more than\"}\n", 1);
    c.diagnostics(&u, Some(1));
    c.wait_for("client/registerCapability", |_| true);
    // Declaring a source is a change of the document only: no workspace refresh follows it.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "@source ex \"extra.txt\" reliability=B\n\n"}]}),
    );
    c.diagnostics(&u, Some(2));
    let reg = c.wait_for("client/registerCapability", |p| {
        p.to_string().contains("extra.txt")
    });
    let globs = reg["registrations"][0]["registerOptions"]["watchers"].to_string();
    assert!(globs.contains("**/extra.txt"), "{globs}");
    assert!(globs.contains("article.txt"), "{globs}");
    assert!(c.shutdown_and_exit().success());
}

/// Two open documents whose names differ only in that one is not UTF-8 (`%FF`) and the other
/// is U+FFFD, the character a lossy decoding gives it: each keeps its own text and
/// diagnostics (they were one document to a lossy key).
#[test]
fn a_name_that_is_not_utf8_is_not_another_documents() {
    let ws = workspace();
    let mut c = Client::spawn(ws.path());
    c.initialize(ws.path(), caps(UTF16_ONLY));
    let base = uri(ws.path());
    let raw = format!("{}/%FF.mica", base.trim_end_matches('/'));
    let replaced = format!("{}/%EF%BF%BD.mica", base.trim_end_matches('/'));
    c.open(&raw, "[x]{cite=nope}\n", 1);
    assert_eq!(codes(&c.diagnostics(&raw, Some(1))), ["unknown-source"]);
    c.open(&replaced, "[y]{cite=art:\"invested more than\"}\n", 1);
    assert!(codes(&c.diagnostics(&replaced, Some(1))).is_empty());
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": raw, "version": 2},
               "contentChanges": [{"text": "[x]{cite=nope} [z]{cite=nope}\n"}]}),
    );
    assert_eq!(
        codes(&c.diagnostics(&raw, Some(2))),
        ["unknown-source", "unknown-source"]
    );
    let state = c.request("mica/documentState", json!({"uri": replaced}));
    assert_eq!(
        state["length"],
        "[y]{cite=art:\"invested more than\"}\n".len(),
        "{state}"
    );
    assert!(c.shutdown_and_exit().success());
}
