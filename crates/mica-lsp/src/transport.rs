//! Standard input and output, made robust: every message is framed and checked here before the
//! JSON-RPC layer sees it, and malformed input is answered with a JSON-RPC error instead of
//! ending the session.
//!
//! `tower-lsp-server` stops reading its input after the first message it cannot decode (bad
//! JSON, a message of the wrong shape, an unsupported `Content-Type`). So the server reads
//! from an in-memory pipe that only ever carries well-formed messages; what is dropped is
//! answered with a parse error or an invalid-request error, written to standard output
//! between two of the server's own messages.
//!
//! Length: a little over 500 lines, with the tests of the framing; it is one job (the bytes
//! between standard input and output and tower-lsp), which a split would scatter.

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{ClientSocket, LspService, Server};

/// The largest message accepted; a larger one is skipped and answered with an error.
const MAX_MESSAGE: usize = 512 * 1024 * 1024;

/// The longest header line kept; longer lines are garbage.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// Serve `service` over `input` and `output` until `exit` or the end of input.
pub async fn serve<S, I, O>(
    service: LspService<S>,
    socket: ClientSocket,
    input: I,
    output: O,
    concurrency: usize,
) where
    S: tower_lsp_server::LanguageServer,
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (server_in, to_server) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (errors_tx, errors_rx) = unbounded_channel();
    let reader = tokio::spawn(read_input(input, to_server, errors_tx));
    let writer = tokio::spawn(write_output(from_server, errors_rx, output));
    Server::new(server_in, server_out, socket)
        .concurrency_level(concurrency)
        .serve(service)
        .await;
    // The server has ended (exit, or the end of input): stop reading, flush what it wrote.
    reader.abort();
    let _ = writer.await;
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

/// The message type `tower-lsp-server` decodes every body into (its own is private): a body
/// is forwarded only when it decodes as this, so the server is never handed bytes it rejects.
#[derive(serde::Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum Message {
    Response(Response),
    Request(Request),
}

/// Why a body cannot go to the server, as (id, code, message).
///
/// The check decodes the very bytes that are forwarded, exactly as the server will: checking a
/// parsed and collapsed copy (where a duplicated key has silently kept its last value) and
/// forwarding the original bytes once let a message through that the server then refused.
fn check_body(body: &[u8]) -> Result<(), (Value, i64, String)> {
    if serde_json::from_slice::<Message>(body).is_ok() {
        return Ok(());
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

/// Read framed messages from `input`; pass the good ones to `to_server`, answer the others.
async fn read_input<I: AsyncRead + Unpin>(
    input: I,
    mut to_server: tokio::io::DuplexStream,
    errors: UnboundedSender<Vec<u8>>,
) {
    let mut input = Input {
        inner: input,
        buf: Vec::new(),
        start: 0,
    };
    loop {
        // Headers, up to an empty line; blank lines before them are skipped.
        let mut length: Option<usize> = None;
        let mut bad_length = false;
        let mut headers = 0;
        loop {
            let Some(line) = input.line().await else {
                return;
            };
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
            let _ = errors.send(error_frame(
                Value::Null,
                -32700,
                "Parse error: a message needs a valid Content-Length header",
            ));
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
                    return;
                }
            }
            let _ = errors.send(error_frame(
                Value::Null,
                -32600,
                "Invalid request: message too large",
            ));
            continue;
        }
        let body = match input.body(length).await {
            None => return,
            Some(Ok(body)) => body,
            Some(Err(got)) => {
                let _ = errors.send(error_frame(
                    Value::Null,
                    -32700,
                    &format!(
                        "Parse error: the message ended after {got} of the {length} bytes its \
                         Content-Length announced, where the next message began"
                    ),
                ));
                continue;
            }
        };
        match check_body(&body) {
            Ok(()) => {
                if to_server.write_all(&frame(&body)).await.is_err() {
                    return;
                }
            }
            Err((id, code, message)) => {
                let _ = errors.send(error_frame(id, code, &message));
            }
        }
    }
}

/// Copy the server's messages to `output` whole, with the reader's error answers between them.
async fn write_output<O: AsyncWrite + Unpin>(
    mut from_server: tokio::io::DuplexStream,
    mut errors: UnboundedReceiver<Vec<u8>>,
    mut output: O,
) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    let mut errors_open = true;
    loop {
        tokio::select! {
            biased;
            e = errors.recv(), if errors_open => match e {
                Some(frame) => {
                    if output.write_all(&frame).await.is_err() || output.flush().await.is_err() {
                        return;
                    }
                }
                None => errors_open = false,
            },
            n = from_server.read(&mut chunk) => {
                let n = match n {
                    Ok(0) | Err(_) => {
                        let _ = output.write_all(&buf).await;
                        let _ = output.flush().await;
                        return;
                    }
                    Ok(n) => n,
                };
                buf.extend_from_slice(&chunk[..n]);
                let whole = complete_frames(&buf);
                if whole > 0 {
                    if output.write_all(&buf[..whole]).await.is_err()
                        || output.flush().await.is_err()
                    {
                        return;
                    }
                    buf.drain(..whole);
                    release_spare(&mut buf);
                }
            }
        }
    }
}

/// How many leading bytes of `buf` are complete `Content-Length` frames.
fn complete_frames(buf: &[u8]) -> usize {
    let mut at = 0;
    loop {
        let rest = &buf[at..];
        let Some(end) = rest.windows(4).position(|w| w == b"\r\n\r\n") else {
            return at;
        };
        let headers = String::from_utf8_lossy(&rest[..end]);
        let length = headers
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let total = end + 4 + length;
        if rest.len() < total {
            return at;
        }
        at += total;
    }
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
        assert!(
            check_body(br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#).is_ok()
        );
        assert!(check_body(br#"{"jsonrpc":"2.0","method":"exit"}"#).is_ok());
        assert!(check_body(br#"{"jsonrpc":"2.0","id":3,"result":null}"#).is_ok());
        assert_eq!(check_body(b"{not json").unwrap_err().1, -32700);
        assert_eq!(check_body(b"[]").unwrap_err().1, -32600);
        let (id, code, _) = check_body(br#"{"jsonrpc":"1.0","id":7,"method":"x"}"#).unwrap_err();
        assert_eq!((id, code), (json!(7), -32600));
        assert_eq!(check_body(&[0xff, 0xfe]).unwrap_err().1, -32700);
    }

    #[test]
    fn a_duplicated_key_is_refused_not_collapsed() {
        let (id, code, message) = check_body(
            br#"{"jsonrpc":"2.0","id":2,"id":3,"method":"workspace/symbol","params":{"query":""}}"#,
        )
        .unwrap_err();
        assert_eq!((id, code), (Value::Null, -32600));
        assert!(message.contains("`id`"), "{message}");
        // Duplicates inside params are the method's business, as for any JSON-RPC server.
        assert!(check_body(br#"{"jsonrpc":"2.0","method":"x","params":{"a":1,"a":2}}"#).is_ok());
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

    #[test]
    fn only_whole_frames_are_written() {
        let a = frame(b"{}");
        let mut buf = a.clone();
        buf.extend_from_slice(b"Content-Length: 10\r\n\r\n{\"a\":");
        assert_eq!(complete_frames(&buf), a.len());
        assert_eq!(complete_frames(b"Content-Len"), 0);
    }
}
