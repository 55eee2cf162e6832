//! `@source` declarations: duplicate ids, attributes, sources that cannot be read, sources
//! never cited.

use super::FastMap;
use super::{DocContext, claims, emit};
use crate::config::CONFIG_FILE;
use crate::diagnostic::{Code, Diagnostic, Fix, Label};
use crate::resolve::DeclaredSources;
use crate::vocab;
use mica_sources::SourceError;
use mica_syntax::{Attr, TextRange, ValueKind};

/// `duplicate-id`, `unknown-attribute`, `invalid-value`, `source-unreadable` and
/// `source-outside-root` for the document's declarations. Reads the declarations, the scope
/// and which declared paths loaded.
pub(super) fn declarations(
    ctx: &DocContext<'_>,
    sources: &DeclaredSources,
    out: &mut Vec<Diagnostic>,
) {
    for decl in &ctx.parse.document.sources {
        let Some(id) = &decl.id else { continue };
        if let Some(first) = ctx.scope.get(&id.name)
            && first.declared.range != id.range
        {
            let first = first.declared.clone();
            let where_ = if first.file == CONFIG_FILE {
                "in mica.toml"
            } else {
                "earlier in this document"
            };
            let message = format!(
                "source `{}` is already declared {where_}: rename one of them or remove this \
                 declaration",
                id.name
            );
            let d = emit(out, ctx.diag(Code::DuplicateId, id.range, message));
            d.labels.push(Label {
                location: first,
                message: format!("`{}` is first declared here", id.name),
            });
            continue;
        }
        for attr in &decl.attrs {
            attribute(ctx, attr, out);
        }
        if let Some(path) = &decl.path
            && path.terminated
            && let Some(Err(e)) = sources.get(&path.value)
        {
            out.push(source_error(ctx.path, &id.name, &path.value, path.range, e));
        }
    }
}

fn attribute(ctx: &DocContext<'_>, attr: &Attr, out: &mut Vec<Diagnostic>) {
    let key = attr.key.name.as_str();
    if !vocab::SOURCE_KEYS.iter().any(|(k, _)| *k == key) {
        claims::unknown_attribute(ctx, attr, vocab::SOURCE_KEYS, "source", out);
        return;
    }
    let value = match &attr.value.kind {
        ValueKind::Str(s) => s.value.as_str(),
        ValueKind::Bare(b) => b.as_str(),
        ValueKind::Invalid(why) => {
            out.push(ctx.diag(Code::InvalidValue, attr.value.range, why.clone()));
            return;
        }
        ValueKind::Missing => return,
        _ => {
            let msg = format!("`{key}` takes a word or a quoted string");
            out.push(ctx.diag(Code::InvalidValue, attr.value.range, msg));
            return;
        }
    };
    if let Some(problem) = vocab::source_attr_problem(key, value) {
        out.push(ctx.diag(Code::InvalidValue, attr.value.range, problem));
    }
}

/// The diagnostic for a source that cannot be used, where it is declared.
pub(crate) fn source_error(
    file: &str,
    id: &str,
    path: &str,
    range: TextRange,
    e: &SourceError,
) -> Diagnostic {
    let code = if *e == SourceError::OutsideRoot {
        Code::SourceOutsideRoot
    } else {
        Code::SourceUnreadable
    };
    Diagnostic::new(
        code,
        file,
        range,
        format!("source `{id}` at \"{path}\" cannot be used: {e}"),
    )
}

/// `unused-source`: a declaration of this document that no citation names. Reads the
/// declarations, the scope and every citation's source id.
pub(super) fn unused(ctx: &DocContext<'_>, out: &mut Vec<Diagnostic>) {
    let doc = &ctx.parse.document;
    // The document's own ids, marked as citations name them: a handful, not a set of every
    // citation (these rules run on every keystroke in an editor).
    let mut ids: FastMap<&str, bool> = doc
        .sources
        .iter()
        .filter_map(|d| Some((d.id.as_ref()?.name.as_str(), false)))
        .collect();
    if ids.is_empty() {
        return;
    }
    let mut left = ids.len();
    for c in doc.claims.iter().flat_map(|c| c.citations()) {
        if let Some(cited) = ids.get_mut(c.source.name.as_str())
            && !*cited
        {
            *cited = true;
            left -= 1;
            if left == 0 {
                return;
            }
        }
    }
    for decl in &doc.sources {
        let Some(id) = &decl.id else { continue };
        if ids.get(id.name.as_str()) == Some(&true) {
            continue;
        }
        // Only the declaration that counts is reported; duplicates have their own error.
        if ctx
            .scope
            .get(&id.name)
            .is_some_and(|d| d.declared.range != id.range)
        {
            continue;
        }
        let line = whole_line(ctx.text, decl.range);
        let fix = Fix {
            title: format!("Remove the declaration of `{}`", id.name),
            edits: vec![ctx.edit(line, "")],
            safe: false,
        };
        let msg = format!(
            "source `{}` is declared but never cited in this document: cite it or remove the \
             declaration",
            id.name
        );
        emit(out, ctx.diag(Code::UnusedSource, id.range, msg)).fix = Some(fix);
    }
}

/// The lines a range covers, including the final line ending.
fn whole_line(text: &str, range: TextRange) -> TextRange {
    let start = text[..range.start()]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let rest = &text[range.end()..];
    let end = match rest.find(['\n', '\r']) {
        Some(i) if rest[i..].starts_with("\r\n") => range.end() + i + 2,
        Some(i) => range.end() + i + 1,
        None => text.len(),
    };
    TextRange::new(start, end)
}
