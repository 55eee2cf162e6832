//! The Mica language server: LSP over standard input and output, built on `tower-lsp-server`,
//! with each open document's text held once ([`buffer`]).
//!
//! The editor features come from `mica-ide` as plain data over byte offsets; this crate is the
//! only one that knows LSP types, and [`convert`] is the only place that turns positions into
//! offsets and back (in the encoding negotiated with the client) and URIs into paths.

pub mod buffer;
pub mod convert;
mod handlers;
mod heap;
mod overlay;
mod publish;
mod reload;
mod scheduler;
mod server;
mod snapshot;
mod state;
mod to_lsp;
mod transport;

pub use handlers::custom::{DocumentState, DocumentStateParams, fnv1a};
pub use server::Server;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tower_lsp_server::LspService;

/// How many requests are handled at once; more than the default so that a slow request never
/// holds up the notifications behind it.
const CONCURRENCY: usize = 64;

/// Serve the Language Server Protocol over standard input and output until `exit`.
///
/// Blocks on its own Tokio runtime. Returns `Ok` after a `shutdown` request followed by `exit`
/// (or the end of input after `shutdown`), and an error when the client went away without
/// asking the server to shut down, so that the caller can exit with status 1 as the protocol
/// asks.
pub fn run_stdio() -> std::io::Result<()> {
    heap::keep_large_buffers_apart();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("mica-lsp")
        .build()?;
    let clean = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&clean);
    runtime.block_on(async move {
        let (outbox, frames) = transport::Outbox::new();
        let server_outbox = outbox.clone();
        let (service, socket) =
            LspService::build(move |client| Server::new(client, server_outbox, flag))
                .custom_method("mica/documentState", Server::document_state)
                .finish();
        transport::serve(
            service,
            socket,
            tokio::io::stdin(),
            tokio::io::stdout(),
            (outbox, frames),
            CONCURRENCY,
        )
        .await;
    });
    // Reading standard input occupies a blocking thread that only the next line of input
    // would free: do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(100));
    if clean.load(Ordering::SeqCst) {
        Ok(())
    } else {
        Err(std::io::Error::other(
            "the client closed the connection without a shutdown request",
        ))
    }
}
