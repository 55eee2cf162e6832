//! The parser: a byte loop over the body that skips prose runs whole, and chumsky grammars
//! over logos tokens for the few places where a grammar pays (attribute lists and `@source`
//! lines). It feeds flat raw items to [`crate::lower`], which pairs brackets into claims.
//!
//! Prose is nearly all of a brief, and nothing in it matters to Mica except eight bytes:
//! `[`, `]`, `\`, `<` (a comment), line endings (paragraph breaks) and, at the start of a line,
//! `#` and `@`. The loop jumps from one of those to the next with a lookup table, so a
//! paragraph costs one pass over its bytes and no token. Only at `]{` and at an `@source`
//! line does it lex (logos) the list or line and parse it with chumsky, using chumsky's
//! cheapest error type: the grammar is total, so the happy path never builds an error, and
//! only a list that fails (none should) is parsed again with `Rich` errors to say why.
//!
//! Every decision is the one the token grammar of `spec/mica.md` makes; the test-only
//! `reference` module keeps the previous whole-token parser, and a differential test holds
//! the two to the same tree and errors.

use crate::lexer::Token;
use crate::lower::Lowerer;
use crate::text::TextRange;
use crate::{SyntaxError, SyntaxFix, TextEdit, is_ident};
use chumsky::input::{Input as _, ValueInput};
use chumsky::prelude::*;
use logos::Logos;

/// A flat item of the document, before brackets are paired.
#[derive(Clone, Debug)]
pub(crate) enum RawItem {
    /// `[`
    Open(TextRange),
    /// `]` not followed by `{`.
    Close,
    /// `]` immediately followed by an attribute list.
    ClaimClose {
        rbracket: TextRange,
        attrs: RawAttrList,
    },
    /// A blank line.
    ParaBreak,
    /// A comment and whether it is closed.
    Comment(TextRange, bool),
    /// An `@source` line.
    Source(RawSource),
    /// The `#`s of a heading and the range of those marks.
    Heading { level: usize, marks: TextRange },
    /// Any other token (only the reference parser produces these; lowering ignores them).
    #[cfg(test)]
    Prose,
}

/// `{ ... }` as written.
#[derive(Clone, Debug)]
pub(crate) struct RawAttrList {
    pub range: TextRange,
    pub items: Vec<RawAttr>,
    pub closed: bool,
    /// Common slips found while reading the list, each already an error with its fix.
    pub slips: Vec<SyntaxError>,
}

/// `@source ...` as written.
#[derive(Clone, Debug)]
pub(crate) struct RawSource {
    pub range: TextRange,
    pub items: Vec<RawAttr>,
    /// Common slips found while reading the line, each already an error with its fix.
    pub slips: Vec<SyntaxError>,
}

/// One item of an attribute list or a source line.
#[derive(Clone, Debug)]
pub(crate) enum RawAttr {
    /// `#id` (the id range excludes `#`; `None` when nothing follows the `#`).
    Id {
        hash: TextRange,
        name: Option<TextRange>,
    },
    /// A word without `=`: `.tag`, or a source id in a source line.
    Word(TextRange),
    /// `key=value`.
    KeyValue {
        key: TextRange,
        eq: TextRange,
        value: Vec<Seg>,
    },
    /// A string standing alone (a source path).
    Str(RawStr),
    /// A token that has no place here.
    Junk(Token, TextRange),
}

/// A piece of a value: values are runs of adjacent pieces, such as `wiki:L8-9:"quote"`.
#[derive(Clone, Debug)]
pub(crate) enum Seg {
    Word(TextRange),
    Colon(TextRange),
    Hash(TextRange),
    Str(RawStr),
}

impl Seg {
    pub(crate) fn range(&self) -> TextRange {
        match self {
            Seg::Word(r) | Seg::Colon(r) | Seg::Hash(r) => *r,
            Seg::Str(s) => s.range,
        }
    }
}

/// A string as written: its whole range and whether it is closed. A string written between
/// curly quotes `“…”` (a slip the parser recognises) starts with `“` rather than `"`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawStr {
    pub range: TextRange,
    pub closed: bool,
}

fn tr(span: SimpleSpan) -> TextRange {
    TextRange::new(span.start, span.end)
}

/// Whether `offset` starts a line, allowing up to three spaces of indentation as Markdown does.
fn at_line_start(src: &str, offset: usize) -> bool {
    let before = &src.as_bytes()[..offset];
    // Look back at most four bytes, so that a long run of spaces is not scanned again at
    // every `#` or `@` that follows it.
    let indent = before
        .iter()
        .rev()
        .take(4)
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    if indent > 3 {
        return false;
    }
    let rest = &before[..before.len() - indent];
    // A byte order mark at the very start of the file is not text.
    rest.is_empty() || rest == "\u{feff}".as_bytes() || matches!(rest.last(), Some(b'\n' | b'\r'))
}

/// The bytes the prose loop stops at; every other byte is skipped as prose.
const STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    let stops = b"[]\\<\n\r#@";
    while i < stops.len() {
        t[stops[i] as usize] = true;
        i += 1;
    }
    t
};

/// Whether `b` ends a word token (see the token table in `spec/mica.md` 2.7).
fn ends_word(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'('
            | b')'
            | b'"'
            | b'\\'
            | b'#'
            | b'='
            | b':'
            | b'<'
    )
}

/// The length of the line ending at `at`, if one starts there.
fn line_ending(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at) {
        Some(b'\r') if bytes.get(at + 1) == Some(&b'\n') => 2,
        Some(b'\r' | b'\n') => 1,
        _ => 0,
    }
}

/// From a line ending at `at`: the end of the run of line endings and blank lines that
/// follows, and whether that run holds a blank line (a paragraph break).
fn line_break(bytes: &[u8], at: usize) -> (usize, bool) {
    let mut end = at + line_ending(bytes, at);
    let mut para = false;
    loop {
        let mut i = end;
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let n = line_ending(bytes, i);
        if n == 0 {
            return (end, para);
        }
        end = i + n;
        para = true;
    }
}

/// Options of one parse.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Options {
    /// Recognise common slips (curly quotes as string delimiters, spaces around `=`) and
    /// report each as one error with a fix. Off only in the differential test, whose
    /// reference parser predates them.
    pub slips: bool,
}

/// What the readers of lists and lines share over one parse.
struct Scratch {
    /// The tokens of the list or line being read (reused to save allocations).
    tokens: Vec<(Token, SimpleSpan)>,
    /// Every curly quote before this offset is known not to open a string (a scan for its
    /// closing quote failed there), so it is not scanned for again: without this, a line of
    /// `x=“` would be scanned once per `“`, in quadratic time.
    no_curly_before: usize,
}

/// Parse the body of `src` (from byte `start`) and feed its raw items to `out`.
pub(crate) fn parse_body(src: &str, start: usize, opts: Options, out: &mut Lowerer<'_>) {
    let bytes = src.as_bytes();
    let mut tokens = Scratch {
        tokens: Vec::new(),
        no_curly_before: 0,
    };
    let mut i = start;
    while i < bytes.len() {
        if !STOP[bytes[i] as usize] {
            i += 1;
            continue;
        }
        match bytes[i] {
            b'[' => {
                out.push(RawItem::Open(TextRange::new(i, i + 1)));
                i += 1;
            }
            b']' if bytes.get(i + 1) == Some(&b'{') => {
                let rbracket = TextRange::new(i, i + 1);
                let (attrs, end) = attr_list(src, i + 1, opts, &mut tokens);
                out.push(RawItem::ClaimClose { rbracket, attrs });
                i = end;
            }
            b']' => {
                out.push(RawItem::Close);
                i += 1;
            }
            b'\\' => {
                let escape = matches!(
                    bytes.get(i + 1),
                    Some(b'[' | b']' | b'{' | b'}' | b'\\' | b'"')
                );
                i += 1 + usize::from(escape);
            }
            b'<' if bytes[i..].starts_with(b"<!--") => {
                let (range, closed) = comment(src, i);
                out.push(RawItem::Comment(range, closed));
                i = range.end();
            }
            b'\n' | b'\r' => {
                let (end, para) = line_break(bytes, i);
                if para {
                    out.push(RawItem::ParaBreak);
                }
                i = end;
            }
            b'#' => {
                let run = bytes[i..].iter().take_while(|&&b| b == b'#').count();
                let spaced = matches!(bytes.get(i + run), Some(b' ' | b'\t'));
                if run <= 6 && spaced && at_line_start(src, i) {
                    let marks = TextRange::new(i, i + run);
                    out.push(RawItem::Heading { level: run, marks });
                }
                // The whole run is passed at once: a `#` after another `#` never starts a
                // line, so a megabyte of `#` is read once, not once per `#`.
                i += run;
            }
            b'@' if bytes[i..].starts_with(b"@source")
                && bytes.get(i + 7).is_none_or(|&b| ends_word(b))
                && at_line_start(src, i) =>
            {
                let (source, end) = source_line(src, i, opts, &mut tokens);
                out.push(RawItem::Source(source));
                i = end;
            }
            _ => i += 1,
        }
    }
}

/// The comment starting at `at` (`<!--`): its range and whether it is closed.
fn comment(src: &str, at: usize) -> (TextRange, bool) {
    match memchr::memmem::find(&src.as_bytes()[at + 4..], b"-->") {
        Some(i) => (TextRange::new(at, at + 4 + i + 3), true),
        None => (TextRange::new(at, src.len()), false),
    }
}

/// Where a token run being read stops, before grammar is applied to it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Until {
    /// An attribute list: after `}`, or before a blank line, `[` or `@source`.
    AttrList,
    /// A source line: before the line ending.
    LineEnd,
}

/// Read the tokens from `at` up to where an attribute list or source line stops (strings
/// may run over the stop tokens, but not over a blank line), into `tokens`. Returns the end
/// offset and any slips found (rewriting `tokens` so that the grammar reads what the fixed
/// text would say).
fn read_tokens(
    src: &str,
    at: usize,
    until: Until,
    opts: Options,
    scratch: &mut Scratch,
) -> (usize, Vec<SyntaxError>) {
    let tokens = &mut scratch.tokens;
    tokens.clear();
    let mut slips = Vec::new();
    let mut offset = at;
    let mut lexer = Token::lexer(&src[at..]);
    let mut in_string = false;
    let mut end = at;
    while let Some(tok) = lexer.next() {
        let tok = tok.unwrap_or(Token::Error);
        let span = lexer.span();
        let span = SimpleSpan::from(span.start + offset..span.end + offset);
        if in_string {
            match tok {
                Token::ParaBreak => break,
                Token::Quote => in_string = false,
                _ => {}
            }
        } else {
            match (tok, until) {
                (Token::ParaBreak, _)
                | (Token::LBracket | Token::AtSource, Until::AttrList)
                | (Token::Newline, Until::LineEnd) => break,
                (Token::Quote, _) => in_string = true,
                (Token::Word, _) if opts.slips => {
                    let curly = curly_string(src, span.start, tokens, &mut scratch.no_curly_before);
                    if let Some((close, slip)) = curly {
                        // Read the curly string as a closed string, as the fix will write it.
                        tokens.push((Token::Quote, SimpleSpan::from(span.start..span.start + 3)));
                        tokens.push((Token::Quote, SimpleSpan::from(close..close + 3)));
                        slips.push(slip);
                        end = close + 3;
                        offset = end;
                        lexer = Token::lexer(&src[end..]);
                        continue;
                    }
                }
                _ => {}
            }
        }
        tokens.push((tok, span));
        end = span.end;
        if !in_string && tok == Token::RBrace && until == Until::AttrList {
            break;
        }
    }
    if opts.slips {
        spaces_around_eq(src, tokens, &mut slips);
    }
    (end, slips)
}

/// `“` and `”`, the curly double quotes a word processor types (three bytes each in UTF-8).
const CURLY: [&str; 2] = ["\u{201c}", "\u{201d}"];

/// A value written between curly quotes, as in `cite=wiki:“…”`: when the word at `at` starts
/// with a curly quote right after `=` or `:`, and a curly quote that ends a word closes it
/// within the paragraph with no straight `"`, `\` or comment between, returns where the
/// closing quote is and the error with its fix.
fn curly_string(
    src: &str,
    at: usize,
    tokens: &[(Token, SimpleSpan)],
    no_curly_before: &mut usize,
) -> Option<(usize, SyntaxError)> {
    let after_value_mark = tokens
        .last()
        .is_some_and(|(t, s)| matches!(t, Token::Eq | Token::Colon) && s.end == at);
    if !after_value_mark || at < *no_curly_before || !CURLY.iter().any(|q| src[at..].starts_with(q))
    {
        return None;
    }
    let bytes = src.as_bytes();
    let mut i = at + 3;
    let mut fail = |i: usize| {
        *no_curly_before = i;
        None
    };
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\\' => return fail(i),
            b'<' if bytes[i..].starts_with(b"<!--") => return fail(i),
            b'\n' | b'\r' => {
                if line_break(bytes, i).1 {
                    return fail(i);
                }
            }
            _ => {
                if CURLY.iter().any(|q| bytes[i..].starts_with(q.as_bytes()))
                    && bytes.get(i + 3).is_none_or(|&b| ends_word(b))
                {
                    let range = TextRange::new(at, i + 3);
                    let edit = |at: usize| TextEdit {
                        range: TextRange::new(at, at + 3),
                        new_text: "\"".into(),
                    };
                    let slip = SyntaxError {
                        range,
                        message: "a string is written between straight double quotes `\"`, not \
                                  curly ones `“…”` (as a word processor types them)"
                            .into(),
                        fix: Some(SyntaxFix {
                            title: "Use straight double quotes `\"`".into(),
                            edits: vec![edit(at), edit(i)],
                            safe: true,
                        }),
                    };
                    return Some((i, slip));
                }
            }
        }
        i += 1;
    }
    fail(i)
}

/// `key = value` (spaces around `=`): drop the spaces from `tokens` so that the grammar reads
/// `key=value`, and report one error whose fix removes them.
fn spaces_around_eq(
    src: &str,
    tokens: &mut Vec<(Token, SimpleSpan)>,
    slips: &mut Vec<SyntaxError>,
) {
    let mut drop = Vec::new();
    let mut in_string = false;
    for i in 0..tokens.len() {
        let tok = tokens[i].0;
        if tok == Token::Quote {
            in_string = !in_string;
        }
        if in_string || tok != Token::Eq || i == 0 {
            continue;
        }
        let is_ws = |j: usize| tokens.get(j).is_some_and(|(t, _)| *t == Token::Ws);
        let before = i.checked_sub(1).filter(|&j| is_ws(j));
        let after = Some(i + 1).filter(|&j| is_ws(j));
        if before.is_none() && after.is_none() {
            continue;
        }
        let key_at = before.map_or(i - 1, |j| j.wrapping_sub(1));
        let value_at = after.map_or(i + 1, |j| j + 1);
        let Some(&(Token::Word, key)) = tokens.get(key_at) else {
            continue;
        };
        // The key must start an attribute (not end a value or follow `#`), and the value
        // must be one: a word that is not itself a key, a string or a reference.
        let starts_attr = key_at == 0
            || matches!(
                tokens[key_at - 1].0,
                Token::Ws | Token::Newline | Token::Comment(_) | Token::LBrace | Token::AtSource
            );
        let value_ok = match tokens.get(value_at) {
            Some((Token::Word, _)) => tokens
                .get(value_at + 1)
                .is_none_or(|(t, _)| *t != Token::Eq),
            Some((Token::Quote | Token::Hash, _)) => true,
            _ => false,
        };
        let key_text = &src[key.start..key.end];
        if !starts_attr || !value_ok || !is_ident(key_text) {
            continue;
        }
        let value = tokens[value_at].1;
        let edits: Vec<TextEdit> = [before, after]
            .into_iter()
            .flatten()
            .map(|j| TextEdit {
                range: tr(tokens[j].1),
                new_text: String::new(),
            })
            .collect();
        let shown = if tokens[value_at].0 == Token::Word {
            format!("{key_text}={}", &src[value.start..value.end])
        } else {
            format!("{key_text}=...")
        };
        slips.push(SyntaxError {
            range: TextRange::new(key.start, value.end),
            message: format!("no spaces are allowed around `=`: write `{shown}`"),
            fix: Some(SyntaxFix {
                title: "Remove the spaces around `=`".into(),
                edits,
                safe: true,
            }),
        });
        drop.extend([before, after].into_iter().flatten());
    }
    if !drop.is_empty() {
        let mut k = 0;
        let mut index = 0;
        tokens.retain(|_| {
            let keep = drop.get(k) != Some(&index);
            if !keep {
                k += 1;
            }
            index += 1;
            keep
        });
    }
}

/// Parse the attribute list whose `{` is at `at`: the list and the offset after it.
fn attr_list(src: &str, at: usize, opts: Options, scratch: &mut Scratch) -> (RawAttrList, usize) {
    let (end, slips) = read_tokens(src, at, Until::AttrList, opts, scratch);
    let tokens = &scratch.tokens;
    let input = tokens.split_token_span(SimpleSpan::from(end..end));
    let parsed = attr_list_parser::<_, extra::Default>()
        .parse(input)
        .into_output();
    let mut list = match parsed {
        Some(list) => list,
        None => {
            // The grammar is total, so this is not expected; parse again for the reasons.
            let input = tokens.split_token_span(SimpleSpan::from(end..end));
            let (out, errors) = attr_list_parser::<_, extra::Err<Rich<'_, Token>>>()
                .parse(input)
                .into_output_errors();
            let mut list = out.unwrap_or(RawAttrList {
                range: TextRange::new(at, end),
                items: Vec::new(),
                closed: false,
                slips: Vec::new(),
            });
            list.slips.extend(errors.into_iter().map(|e| SyntaxError {
                range: tr(*e.span()),
                message: e.to_string(),
                fix: None,
            }));
            list
        }
    };
    list.slips.extend(slips);
    (list, end)
}

/// Parse the `@source` line at `at`: the declaration and the offset after it.
fn source_line(src: &str, at: usize, opts: Options, scratch: &mut Scratch) -> (RawSource, usize) {
    let (end, slips) = read_tokens(src, at, Until::LineEnd, opts, scratch);
    let tokens = &scratch.tokens;
    let input = tokens.split_token_span(SimpleSpan::from(end..end));
    let parsed = source_parser::<_, extra::Default>()
        .parse(input)
        .into_output();
    let mut source = match parsed {
        Some(source) => source,
        None => {
            let input = tokens.split_token_span(SimpleSpan::from(end..end));
            let (out, errors) = source_parser::<_, extra::Err<Rich<'_, Token>>>()
                .parse(input)
                .into_output_errors();
            let mut source = out.unwrap_or(RawSource {
                range: TextRange::new(at, end),
                items: Vec::new(),
                slips: Vec::new(),
            });
            source.slips.extend(errors.into_iter().map(|e| SyntaxError {
                range: tr(*e.span()),
                message: e.to_string(),
                fix: None,
            }));
            source
        }
    };
    source.slips.extend(slips);
    (source, end)
}

/// A string: `"` up to the next `"`, or to a blank line when it is not closed.
fn string<'t, I, E>() -> impl Parser<'t, I, RawStr, E> + Clone
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
    E: extra::ParserExtra<'t, I>,
{
    just(Token::Quote)
        .then(none_of([Token::Quote, Token::ParaBreak]).repeated())
        .then(just(Token::Quote).or_not())
        .map_with(|((_, _), close), e| RawStr {
            range: tr(e.span()),
            closed: close.is_some(),
        })
}

/// One attribute: `#id`, a word (`.tag`, a source id), `key=value`, or a lone string.
fn attr<'t, I, E>() -> impl Parser<'t, I, RawAttr, E> + Clone
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
    E: extra::ParserExtra<'t, I>,
{
    let word = just(Token::Word).map_with(|_, e| tr(e.span()));
    let seg = choice((
        string().map(Seg::Str),
        word.map(Seg::Word),
        just(Token::Colon).map_with(|_, e| Seg::Colon(tr(e.span()))),
        just(Token::Hash).map_with(|_, e| Seg::Hash(tr(e.span()))),
    ));
    choice((
        just(Token::Hash)
            .map_with(|_, e| tr(e.span()))
            .then(word.or_not())
            .map(|(hash, name)| RawAttr::Id { hash, name }),
        word.then(
            just(Token::Eq)
                .map_with(|_, e| tr(e.span()))
                .then(seg.repeated().collect::<Vec<_>>())
                .or_not(),
        )
        .map(|(key, eq)| match eq {
            Some((eq, value)) => RawAttr::KeyValue { key, eq, value },
            None => RawAttr::Word(key),
        }),
        string().map(RawAttr::Str),
    ))
}

/// `{ ... }`, over the tokens [`read_tokens`] collected (which stop where the list stops).
fn attr_list_parser<'t, I, E>() -> impl Parser<'t, I, RawAttrList, E>
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
    E: extra::ParserExtra<'t, I>,
{
    let gap = any().filter(|t| matches!(t, Token::Ws | Token::Newline | Token::Comment(_)));
    let junk = none_of([Token::RBrace]).map_with(|t, e| RawAttr::Junk(t, tr(e.span())));
    just(Token::LBrace)
        .ignore_then(
            choice((gap.to(None), attr().map(Some), junk.map(Some)))
                .repeated()
                .collect::<Vec<_>>(),
        )
        .then(just(Token::RBrace).or_not())
        .then_ignore(end())
        .map_with(|(items, close), e| RawAttrList {
            range: tr(e.span()),
            items: items.into_iter().flatten().collect(),
            closed: close.is_some(),
            slips: Vec::new(),
        })
}

/// `@source ...` up to the end of its line, over the tokens [`read_tokens`] collected.
fn source_parser<'t, I, E>() -> impl Parser<'t, I, RawSource, E>
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
    E: extra::ParserExtra<'t, I>,
{
    let item = choice((
        any()
            .filter(|t| matches!(t, Token::Ws | Token::Comment(_)))
            .to(None),
        attr().map(Some),
        any().map_with(|t, e| Some(RawAttr::Junk(t, tr(e.span())))),
    ));
    just(Token::AtSource)
        .ignore_then(item.repeated().collect::<Vec<_>>())
        .then_ignore(end())
        .map_with(|items, e| RawSource {
            range: tr(e.span()),
            items: items.into_iter().flatten().collect(),
            slips: Vec::new(),
        })
}
