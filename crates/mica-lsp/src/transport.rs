//! Standard input and output, made robust: every message is framed and checked here, and
//! malformed input is answered with a JSON-RPC error instead of ending the session.
//!
//! `tower-lsp-server` stops reading its input after the first message it cannot decode (bad
//! JSON, a message of the wrong shape, an unsupported `Content-Type`). So its service is driven
//! from here, as its own `Server` would drive it: each message is decoded once, requests go to
//! the service (up to `concurrency` at a time), responses to the client socket, and what the
//! server sends (responses, requests, notifications) is framed and written, with the answers to
//! dropped input between them. Its `Server` also kept the room of the largest message it had
//! read (a whole document opened) for the rest of the session, and was fed through an in-memory
//! pipe that copied every message twice.
//!
//! Length: about 580 lines, 90 of them the tests of the framing and the outbox; it is one job
//! (the bytes between standard input and output and the service), which a split would scatter.

use futures::channel::mpsc as queue;
use futures::{FutureExt, SinkExt, StreamExt, TryFutureExt};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::{Receiver, Sender, channel};
use tower::Service;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{ClientSocket, LspService};

/// The largest message accepted; a larger one is skipped and answered with an error.
const MAX_MESSAGE: usize = 512 * 1024 * 1024;

/// The longest header line kept; longer lines are garbage.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// Requests read and not yet started, and frames made and not yet written: beyond these the
/// reader waits, as a client that does not read its input slows the server down.
const QUEUE: usize = 100;

/// Frames on their way to standard output, written in the order they are sent.
///
/// The server publishes diagnostics through it ([`Outbox::notify`]): tower-lsp's `Client` would
/// first build a `serde_json::Value` of every diagnostic, which for a document with tens of
/// thousands of them took many times the memory of the frame written (most of the peak memory
/// of analysing a 2 MB brief with 6,500 diagnostics). Its notifications keep their order with
/// what the server sends through tower-lsp's client (watcher registrations, progress): both
/// are written by one task, which takes the client's first.
#[derive(Clone, Debug)]
pub(crate) struct Outbox {
    /// To the writer: answers and the reader's errors.
    frames: Sender<Vec<u8>>,
    /// To the task that also forwards the client's messages: the server's notifications.
    notes: Sender<Vec<u8>>,
}

/// What the writer and the forwarding task read an [`Outbox`] from.
pub(crate) struct Frames {
    frames: Receiver<Vec<u8>>,
    notes: Receiver<Vec<u8>>,
}

impl Outbox {
    /// An outbox and the frames sent to it.
    pub(crate) fn new() -> (Self, Frames) {
        let (frames_tx, frames) = channel(QUEUE);
        let (notes_tx, notes) = channel(QUEUE);
        let outbox = Self {
            frames: frames_tx,
            notes: notes_tx,
        };
        (outbox, Frames { frames, notes })
    }

    /// Send the notification `method` with `params`, serialised straight into its frame.
    pub(crate) async fn notify(&self, method: &str, params: &impl serde::Serialize) {
        #[derive(serde::Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        let note = Notification {
            jsonrpc: "2.0",
            method,
            params,
        };
        // Nothing to do when the session is over.
        let _ = self.notes.send(json_frame(&note)).await;
    }

    async fn send(&self, frame: Vec<u8>) {
        // Nothing to do when the writer has stopped: the session is over.
        let _ = self.frames.send(frame).await;
    }
}

/// Serve `service` over `input` and `output` until `exit` or the end of input; what is sent to
/// `out` (whose frames are `frames`) is written between the service's own messages.
pub async fn serve<S, I, O>(
    mut service: LspService<S>,
    socket: ClientSocket,
    input: I,
    output: O,
    (out, frames): (Outbox, Frames),
    concurrency: usize,
) where
    S: tower_lsp_server::LanguageServer,
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let Frames { frames, mut notes } = frames;
    let writer = tokio::spawn(write_output(frames, output));
    let (client_requests, mut client_responses) = socket.split();
    let (client_requests, stop_client) = futures::stream::abortable(client_requests);
    let (mut tasks, pending) = queue::channel(QUEUE);

    // The service's answers, as they complete.
    let answers = {
        let out = out.clone();
        pending
            .buffer_unordered(concurrency)
            .filter_map(futures::future::ready)
            .for_each(move |response: Response| {
                let out = out.clone();
                async move { out.send(json_frame(&response)).await }
            })
    };
    // What the server sends of its own accord, in the order it sent it: requests and
    // notifications through tower-lsp's client, and notifications through the outbox. A message
    // through the client was handed over before any outbox notification that is ready with it,
    // so the client's come first; this ends when the client's do, after `exit`.
    let asks = {
        let out = out.clone();
        let mut client_requests = client_requests;
        async move {
            loop {
                let frame = tokio::select! {
                    biased;
                    request = client_requests.next() => match request {
                        Some(request) => json_frame(&request),
                        None => break,
                    },
                    Some(note) = notes.recv() => note,
                };
                out.send(frame).await;
            }
        }
    };
    let read = {
        let out = out.clone();
        async move {
            let mut input = Input {
                inner: input,
                buf: Vec::new(),
                start: 0,
            };
            while let Some(body) = read_message(&mut input, &out).await {
                match decode(&body) {
                    Ok(Message::Request(request)) => {
                        drop(body);
                        if futures::future::poll_fn(|cx| service.poll_ready(cx))
                            .await
                            .is_err()
                        {
                            break;
                        }
                        let exit = request.method() == "exit";
                        let answer = service.call(request).unwrap_or_else(|_| None).boxed();
                        if tasks.send(answer).await.is_err() || exit {
                            break;
                        }
                    }
                    Ok(Message::Response(response)) => {
                        if client_responses.send(response).await.is_err() {
                            break;
                        }
                    }
                    Err((id, code, message)) => out.send(error_frame(id, code, &message)).await,
                }
            }
            // Exit or the end of input: the requests in flight are answered, the server's own
            // requests stop, and the writer ends once every frame is out.
            tasks.disconnect();
            stop_client.abort();
        }
    };
    futures::join!(answers, asks, read);
    // The server's own outbox lives as long as its tasks: an empty frame tells the writer that
    // the session is over, after everything sent before it.
    out.send(Vec::new()).await;
    let _ = writer.await;
}

/// A message framed, as JSON.
fn json_frame(message: &impl serde::Serialize) -> Vec<u8> {
    frame(&serde_json::to_vec(message).unwrap_or_default())
}

/// A JSON-RPC error response with a null or given id, framed.
fn error_frame(id: Value, code: i64, message: &str) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    frame(&serde_json::to_vec(&body).unwrap_or_default())
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A message from the client, decoded as `tower-lsp-server` decodes one (its own type is
/// private): a response to one of the server's requests, or a request or notification.
#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
enum Message {
    Response(Response),
    Request(Request),
}

/// The message a body holds, or why it cannot go to the server, as (id, code, message).
fn decode(body: &[u8]) -> Result<Message, (Value, i64, String)> {
    // The decoder refuses a key given twice at the top level (where a `Value` would keep the
    // last one), so that the server never acts on one of two ids or methods.
    if let Ok(message) = serde_json::from_slice::<Message>(body) {
        return Ok(message);
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| (Value::Null, -32700, format!("Parse error: {e}")))?;
    if let Some(key) = duplicate_key(body) {
        return Err((
            Value::Null,
            -32600,
            format!("Invalid request: the key `{key}` appears more than once"),
        ));
    }
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Err((
        id,
        -32600,
        "Invalid request: not a JSON-RPC 2.0 request, notification or response".into(),
    ))
}

/// The first top-level key of a JSON object that appears twice in it.
fn duplicate_key(body: &[u8]) -> Option<String> {
    struct Keys(Option<String>);
    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Keys, A::Error> {
                    let mut seen = std::collections::HashSet::new();
                    let mut dup = None;
                    while let Some(k) = map.next_key::<String>()? {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        if dup.is_none() && !seen.insert(k.clone()) {
                            dup = Some(k);
                        }
                    }
                    Ok(Keys(dup))
                }
            }
            d.deserialize_map(V)
        }
    }
    serde_json::from_slice::<Keys>(body).ok()?.0
}

/// What a header starts with.
const HEADER: &[u8] = b"Content-Length:";

/// A buffer that grew to hold one large message (a whole document opened) gives the memory
/// back once the message has gone through, instead of keeping it for the rest of the session.
fn release_spare(buf: &mut Vec<u8>) {
    const KEEP: usize = 1 << 20;
    if buf.capacity() > KEEP && buf.len() < buf.capacity() / 4 {
        buf.shrink_to(buf.len().max(KEEP));
    }
}

/// Where a `Content-Length` header line (the name, optional blanks, digits, a line ending)
/// starts in `data`, at or after `from` and before `until`: `Ok(None)` when there is none,
/// `Err(at)` when one may start at `at` but the bytes after it have not arrived yet.
///
/// Such a line cannot occur inside a JSON body (a string cannot hold a raw line break, and
/// outside strings it is no token), so finding one inside a body means that the previous
/// message's `Content-Length` overstated its body and the next message has begun.
fn find_header(data: &[u8], from: usize, until: usize) -> Result<Option<usize>, usize> {
    let mut from = from;
    // A header starting before `until` may end after it.
    let end = (until + HEADER.len() - 1).min(data.len());
    while let Some(i) = memchr::memmem::find(&data[from.min(end)..end], HEADER) {
        let at = from + i;
        if at >= until {
            break;
        }
        let mut k = at + HEADER.len();
        while data.get(k).is_some_and(|b| *b == b' ' || *b == b'\t') {
            k += 1;
        }
        let digits = data[k.min(data.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        match data.get(k + digits) {
            None => return Err(at),
            Some(b'\r' | b'\n') if digits > 0 => return Ok(Some(at)),
            Some(_) => from = at + 1,
        }
    }
    Ok(None)
}

/// Standard input as a buffer that messages are cut from.
struct Input<I> {
    inner: I,
    buf: Vec<u8>,
    start: usize,
}

impl<I: AsyncRead + Unpin> Input<I> {
    /// The bytes read and not consumed.
    fn data(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn consume(&mut self, n: usize) {
        self.start += n.min(self.buf.len() - self.start);
    }

    /// Read more; false at the end of input.
    async fn fill(&mut self) -> bool {
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
            release_spare(&mut self.buf);
        }
        let len = self.buf.len();
        self.buf.resize(len + (1 << 16), 0);
        let n = self.inner.read(&mut self.buf[len..]).await.unwrap_or(0);
        self.buf.truncate(len + n);
        n > 0
    }

    /// The next header line without its line ending, consumed; a line longer than
    /// [`MAX_HEADER_LINE`] is cut there. When a header begins in the middle of a line (after
    /// the tail of a body), the line starts at the header. `None` at the end of input.
    async fn line(&mut self) -> Option<Vec<u8>> {
        loop {
            let data = self.data();
            let window = &data[..data.len().min(MAX_HEADER_LINE)];
            let nl = memchr::memchr(b'\n', window);
            let line_end = nl.map_or(window.len(), |nl| nl + 1);
            if let Ok(Some(at)) = find_header(&window[..line_end], 1, line_end) {
                // Garbage before a header: drop it, and read the header as a line of its own.
                self.consume(at);
                continue;
            }
            if let Some(nl) = nl {
                let mut line = window[..nl].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.consume(nl + 1);
                return Some(line);
            }
            if window.len() == MAX_HEADER_LINE {
                let line = window.to_vec();
                self.consume(MAX_HEADER_LINE);
                return Some(line);
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// A body of `length` bytes, consumed: `Ok` when it is whole, `Err(n)` when a header
    /// begins after `n` of its bytes (which are consumed; the header is not). `None` at the
    /// end of input.
    async fn body(&mut self, length: usize) -> Option<Result<Vec<u8>, usize>> {
        let mut scanned: usize = 0;
        loop {
            let data = self.data();
            let have = data.len().min(length);
            // Scan what arrived since the last look, with an overlap for a header cut in two.
            let from = scanned.saturating_sub(HEADER.len());
            match find_header(data, from, have) {
                Ok(Some(at)) => {
                    self.consume(at);
                    return Some(Err(at));
                }
                // Wait for the bytes that tell whether a header starts here.
                Err(at) => scanned = at,
                Ok(None) => scanned = have,
            }
            if scanned == length {
                let body = data[..length].to_vec();
                self.consume(length);
                return Some(Ok(body));
            }
            if !self.fill().await {
                return None;
            }
        }
    }
}

/// The next message's body from `input`; what cannot be a message (no valid length, too large,
/// cut short by the next header) is skipped and answered on `out`. `None` at the end of input.
async fn read_message<I: AsyncRead + Unpin>(input: &mut Input<I>, out: &Outbox) -> Option<Vec<u8>> {
    loop {
        // Headers, up to an empty line; blank lines before them are skipped.
        let mut length: Option<usize> = None;
        let mut bad_length = false;
        let mut headers = 0;
        loop {
            let line = input.line().await?;
            let text = String::from_utf8_lossy(&line);
            if text.is_empty() {
                if headers > 0 {
                    break;
                }
                continue;
            }
            headers += 1;
            if let Some((name, value)) = text.split_once(':')
                && name.trim().eq_ignore_ascii_case("content-length")
            {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => bad_length = true,
                }
            }
        }
        let Some(length) = length.filter(|_| !bad_length) else {
            let _ = out
                .send(error_frame(
                    Value::Null,
                    -32700,
                    "Parse error: a message needs a valid Content-Length header",
                ))
                .await;
            continue;
        };
        if length > MAX_MESSAGE {
            // Skipped without being kept. A header inside it still begins the next message, as
            // in `Input::body`: an overstated length must not swallow the requests after it.
            let mut left = length;
            while left > 0 {
                let data = input.data();
                let n = data.len().min(left);
                let skip = match find_header(data, 0, n) {
                    Ok(Some(at)) => {
                        input.consume(at);
                        break;
                    }
                    // A header may start at `at`: keep it until its bytes have arrived.
                    Err(at) => at,
                    Ok(None) => n,
                };
                input.consume(skip);
                left -= skip;
                if left > 0 && !input.fill().await {
                    return None;
                }
            }
            let _ = out
                .send(error_frame(
                    Value::Null,
                    -32600,
                    "Invalid request: message too large",
                ))
                .await;
            continue;
        }
        match input.body(length).await? {
            Ok(body) => return Some(body),
            Err(got) => {
                let _ = out
                    .send(error_frame(
                        Value::Null,
                        -32700,
                        &format!(
                            "Parse error: the message ended after {got} of the {length} bytes its \
                         Content-Length announced, where the next message began"
                        ),
                    ))
                    .await;
            }
        }
    }
}

/// Write the frames to `output` in the order they were made, flushing whenever none is waiting;
/// stop at an empty frame, when every sender is gone or when the output is closed.
async fn write_output<O: AsyncWrite + Unpin>(mut frames: Receiver<Vec<u8>>, mut output: O) {
    while let Some(frame) = frames.recv().await {
        if frame.is_empty() {
            break;
        }
        if output.write_all(&frame).await.is_err() {
            return;
        }
        if frames.is_empty() && output.flush().await.is_err() {
            return;
        }
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_gives_back_what_a_large_message_took() {
        let mut buf = vec![0u8; 64 << 20];
        buf.truncate(100);
        release_spare(&mut buf);
        assert!(buf.capacity() < 2 << 20, "{}", buf.capacity());
        assert_eq!(buf.len(), 100);
        // A buffer still mostly in use, or small, is left as it is.
        let mut full = vec![0u8; 8 << 20];
        release_spare(&mut full);
        assert_eq!(full.capacity(), 8 << 20);
        let mut small = Vec::<u8>::with_capacity(512 << 10);
        release_spare(&mut small);
        assert_eq!(small.capacity(), 512 << 10);
    }

    #[test]
    fn bodies_are_sorted_into_good_and_bad() {
        assert!(decode(br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#).is_ok());
        assert!(decode(br#"{"jsonrpc":"2.0","method":"exit"}"#).is_ok());
        assert!(decode(br#"{"jsonrpc":"2.0","id":3,"result":null}"#).is_ok());
        assert_eq!(decode(b"{not json").unwrap_err().1, -32700);
        assert_eq!(decode(b"[]").unwrap_err().1, -32600);
        let (id, code, _) = decode(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#).unwrap_err();
        assert_eq!((id, code), (json!(7), -32600));
        assert_eq!(decode(&[0xff, 0xfe]).unwrap_err().1, -32700);
    }

    #[test]
    fn a_duplicated_key_is_refused_not_collapsed() {
        let (id, code, message) = decode(
            br#"{"jsonrpc":"2.0","id":2,"id":3,"method":"workspace/symbol","params":{"query":""}}"#,
        )
        .unwrap_err();
        assert_eq!((id, code), (Value::Null, -32600));
        assert!(message.contains("`id`"), "{message}");
        // Duplicates inside params are the method's business, as for any JSON-RPC server.
        assert!(decode(br#"{"jsonrpc":"2.0","method":"x","params":{"a":1,"a":2}}"#).is_ok());
    }

    /// A notification sent through the outbox is the frame tower-lsp's client would have
    /// written for it, without its `Value` on the way.
    #[tokio::test]
    async fn an_outbox_notification_is_the_client_s_frame() {
        use tower_lsp_server::ls_types::{self as lsp, notification::Notification};
        let (outbox, mut frames) = Outbox::new();
        let params = lsp::PublishDiagnosticsParams {
            uri: "file:///ws/a.mica".parse().unwrap(),
            diagnostics: vec![lsp::Diagnostic {
                message: "quote \"x\" not found".into(),
                ..Default::default()
            }],
            version: Some(3),
        };
        outbox
            .notify(lsp::notification::PublishDiagnostics::METHOD, &params)
            .await;
        let frame = frames.notes.recv().await.unwrap();
        let body = frame.split(|&b| b == b'\n').next_back().unwrap();
        assert_eq!(frame, super::frame(body));
        // What the client builds (`Request::from_notification`, which is private): the params
        // as a `Value`, no id.
        let theirs = Request::build(lsp::notification::PublishDiagnostics::METHOD)
            .params(serde_json::to_value(&params).unwrap())
            .finish();
        let ours: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(ours, serde_json::to_value(&theirs).unwrap());
    }

    #[test]
    fn headers_are_found_only_as_whole_lines() {
        let data = b"{\"text\":\"Content-Length: 5 in a string\"}Content-Length: 12\r\n";
        let at = data
            .windows(HEADER.len())
            .rposition(|w| w == HEADER)
            .unwrap();
        assert_eq!(find_header(data, 0, data.len()), Ok(Some(at)));
        // Cut before its digits end: undecided until more bytes arrive.
        assert_eq!(
            find_header(&data[..data.len() - 3], 0, data.len() - 3),
            Err(at)
        );
        // A header starting before the limit counts even when it ends after it.
        assert_eq!(find_header(data, 0, at + 2), Ok(Some(at)));
        assert_eq!(find_header(data, 0, at), Ok(None));
    }
}
