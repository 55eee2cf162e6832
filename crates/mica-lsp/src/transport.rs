//! Standard input and output, made robust: every message is framed and checked here before the
//! JSON-RPC layer sees it, and malformed input is answered with a JSON-RPC error instead of
//! ending the session.
//!
//! `tower-lsp-server` stops reading its input after the first message it cannot decode (bad
//! JSON, a message of the wrong shape, an unsupported `Content-Type`). So the server reads
//! from an in-memory pipe that only ever carries well-formed messages; what is dropped is
//! answered with a parse error or an invalid-request error, written to standard output
//! between two of the server's own messages.

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
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

/// Why a body cannot go to the server, as (id, code, message).
fn check_body(body: &[u8]) -> Result<(), (Value, i64, String)> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| (Value::Null, -32700, format!("Parse error: {e}")))?;
    let is_request = serde_json::from_value::<Request>(value.clone()).is_ok();
    if is_request || serde_json::from_value::<Response>(value.clone()).is_ok() {
        return Ok(());
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

/// Read framed messages from `input`; pass the good ones to `to_server`, answer the others.
async fn read_input<I: AsyncRead + Unpin>(
    input: I,
    mut to_server: tokio::io::DuplexStream,
    errors: UnboundedSender<Vec<u8>>,
) {
    let mut input = BufReader::new(input);
    let mut line = Vec::new();
    loop {
        // Headers, up to an empty line; blank lines before them are skipped.
        let mut length: Option<usize> = None;
        let mut bad_length = false;
        let mut headers = 0;
        loop {
            line.clear();
            match (&mut input)
                .take(MAX_HEADER_LINE as u64)
                .read_until(b'\n', &mut line)
                .await
            {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
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
            let skipped = tokio::io::copy(
                &mut (&mut input).take(length as u64),
                &mut tokio::io::sink(),
            )
            .await;
            if skipped.map_or(true, |n| n < length as u64) {
                return;
            }
            let _ = errors.send(error_frame(
                Value::Null,
                -32600,
                "Invalid request: message too large",
            ));
            continue;
        }
        let mut body = vec![0; length];
        if input.read_exact(&mut body).await.is_err() {
            return;
        }
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
    fn only_whole_frames_are_written() {
        let a = frame(b"{}");
        let mut buf = a.clone();
        buf.extend_from_slice(b"Content-Length: 10\r\n\r\n{\"a\":");
        assert_eq!(complete_frames(&buf), a.len());
        assert_eq!(complete_frames(b"Content-Len"), 0);
    }
}
