//! `mica/documentState`: the server's copy of an open document, for clients and tests to
//! compare with theirs.

use crate::server::Inner;
use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types as lsp;

/// Parameters of `mica/documentState`.
#[derive(Debug, Deserialize)]
pub struct DocumentStateParams {
    /// The document.
    pub uri: lsp::Uri,
}

/// The server's copy of an open document.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentState {
    /// The last version applied.
    pub version: i32,
    /// The length of the text in UTF-8 bytes.
    pub length: usize,
    /// The 64-bit FNV-1a hash of the text's UTF-8 bytes, in 16 hexadecimal digits.
    pub fnv1a: String,
}

/// The 64-bit FNV-1a hash of `bytes`.
pub fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The version, length and hash of the server's copy of an open document, or null when it is
/// not open.
pub(crate) fn document_state(inner: &Inner, p: DocumentStateParams) -> Option<DocumentState> {
    let st = inner.lock();
    let doc = st.docs.get(&st.id(&p.uri))?;
    let (buffer, version) = doc.buffer.as_ref()?;
    Some(DocumentState {
        version: *version,
        length: buffer.text().len(),
        fnv1a: format!("{:016x}", fnv1a(buffer.text().bytes())),
    })
}
