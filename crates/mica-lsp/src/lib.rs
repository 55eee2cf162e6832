//! The Mica language server. (Placeholder while the server is written; see issue 3.)

/// Serve the Language Server Protocol over standard input and output until `exit`.
pub fn run_stdio() -> std::io::Result<()> {
    Err(std::io::Error::other("the language server is not built yet"))
}
