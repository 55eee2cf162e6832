//! A small LSP client over a child process's standard input and output, for the integration
//! tests and the benchmark: it frames JSON-RPC messages, answers the server's requests, and
//! waits for responses and notifications with a timeout.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long to wait for any one answer before a test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The `mica` binary: `$MICA_BIN`, or `mica` in the target folder holding this executable.
pub fn mica_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("MICA_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("current exe");
    let mut dir = exe.parent().expect("exe folder").to_path_buf();
    if dir.ends_with("deps") || dir.ends_with("examples") {
        dir.pop();
    }
    let bin = dir.join(format!("mica{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} not found: build it with `cargo build -p mica-cli` (same profile and target folder), \
         or set MICA_BIN",
        bin.display()
    );
    bin
}

/// The `file:` URI of a path.
pub fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A running server and the messages it sent that nobody asked for yet.
pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Each message, with when its last byte was read (before it was parsed).
    rx: Receiver<(Value, Instant)>,
    /// When the last message taken from the wire had been read in full, before this client
    /// parsed it: what a benchmark of the server reads, since the time this client takes to
    /// turn a large answer into a `serde_json::Value` is not the server's.
    pub arrived: Option<Instant>,
    next_id: i64,
    /// Notifications (and answered server requests) received while waiting for something else.
    pub inbox: Vec<Value>,
}

impl Client {
    /// Start `mica lsp` in `cwd`.
    pub fn spawn(cwd: &Path) -> Client {
        let mut child = Command::new(mica_bin())
            .arg("lsp")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mica lsp");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        len = v.trim().parse::<usize>().ok();
                    }
                }
                let Some(len) = len else { return };
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let arrived = Instant::now();
                match serde_json::from_slice::<Value>(&body) {
                    Ok(v) => {
                        if tx.send((v, arrived)).is_err() {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            rx,
            arrived: None,
            next_id: 0,
            inbox: Vec::new(),
        }
    }

    /// Write raw bytes to the server.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush");
    }

    /// Send one message.
    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).expect("json");
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend(body);
        self.send_raw(&out);
    }

    /// Send a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request and return its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The next message, answering the server's own requests on the way.
    pub fn recv(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = match self.rx.recv_timeout(left) {
            Ok((m, at)) => {
                self.arrived = Some(at);
                m
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return None,
        };
        if msg.get("method").is_some() && msg.get("id").is_some() {
            // A request from the server (registerCapability, ...): accept it.
            let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": null});
            self.send(&reply);
        }
        Some(msg)
    }

    /// The whole response (`result` or `error`) to request `id`.
    pub fn response(&mut self, id: i64) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        if let Some(i) = self
            .inbox
            .iter()
            .position(|m| m.get("method").is_none() && m["id"] == json!(id))
        {
            return self.inbox.remove(i);
        }
        while let Some(m) = self.recv(deadline) {
            if m.get("method").is_none() && m["id"] == json!(id) {
                return m;
            }
            self.inbox.push(m);
        }
        panic!("no response to request {id} within {TIMEOUT:?}");
    }

    /// The first response (to any id) for which `pred` holds.
    pub fn wait_for_response(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self
            .inbox
            .iter()
            .position(|m| m.get("method").is_none() && pred(m))
        {
            return self.inbox.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        while let Some(m) = self.recv(deadline) {
            if m.get("method").is_none() && pred(&m) {
                return m;
            }
            self.inbox.push(m);
        }
        panic!("no such response within {TIMEOUT:?}");
    }

    /// Send a request and return its `result` (panicking on an error response).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        let r = self.response(id);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// The first notification `method` for which `pred` holds, from the inbox or the wire.
    pub fn wait_for(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.try_wait_for(method, TIMEOUT, pred)
            .unwrap_or_else(|| panic!("no {method} as expected within {TIMEOUT:?}"))
    }

    /// Like [`Client::wait_for`], returning `None` after `timeout`.
    pub fn try_wait_for(
        &mut self,
        method: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(i) = self
            .inbox
            .iter()
            .position(|m| m["method"] == method && pred(&m["params"]))
        {
            return Some(self.inbox.remove(i)["params"].clone());
        }
        let deadline = Instant::now() + timeout;
        while let Some(m) = self.recv(deadline) {
            if m["method"] == method && pred(&m["params"]) {
                return Some(m["params"].clone());
            }
            self.inbox.push(m);
        }
        None
    }

    /// The diagnostics published for `uri` at `version` (or without a version when `None`).
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let p = self.wait_for("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri
                && match version {
                    Some(v) => p["version"] == json!(v),
                    None => true,
                }
        });
        p["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// `initialize` with `root` as the workspace folder and the given client capabilities,
    /// then `initialized`; returns the server's capabilities.
    pub fn initialize(&mut self, root: &Path, capabilities: Value) -> Value {
        let root_uri = uri(root);
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{"uri": root_uri, "name": "ws"}],
                "capabilities": capabilities,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// Open a document.
    pub fn open(&mut self, uri: &str, text: &str, version: i64) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "mica", "version": version, "text": text}}),
        );
    }

    /// `shutdown` then `exit`; the server's exit status.
    pub fn shutdown_and_exit(mut self) -> ExitStatus {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait()
    }

    /// Close standard input and wait for the server to end.
    pub fn wait(&mut self) -> ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                return s;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the server process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A workspace in a temporary folder: `mica.toml` declaring `art`, and `article.txt`.
pub fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("mica.toml"),
        "[sources.art]\npath = \"article.txt\"\ntitle = \"An article\"\nreliability = \"B\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("article.txt"),
        "Over nine years, the CCP invested more than\n$300 billion to establish 33 innovation centers.\nThe plan was signed by Premier Li Keqiang in May 2015.\n",
    )
    .unwrap();
    dir
}

/// The UTF-16 position of byte `offset` of `text` (whose lines end with `\n` only).
pub fn utf16_pos(text: &str, offset: usize) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count();
    let col = text[line_start..offset].encode_utf16().count();
    json!({"line": line, "character": col})
}

/// A deterministic generator (xorshift64): a number below `n` per call.
pub fn xorshift(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}
