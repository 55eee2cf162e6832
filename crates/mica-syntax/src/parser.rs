//! The parser: chumsky over logos tokens builds a flat list of raw items, which
//! [`crate::lower`] turns into the syntax tree.
//!
//! The grammar is total: every token sequence parses, so parsing never fails and every
//! problem becomes an error with a range instead of stopping the parse. Claims are found
//! by pairing brackets in a linear pass during lowering rather than by recursive descent,
//! so that pathological inputs (a megabyte of `[`) stay linear in time and stack.

use crate::lexer::Token;
use crate::text::TextRange;
use chumsky::input::{Input as _, ValueInput};
use chumsky::prelude::*;

/// The parser's error type.
pub(crate) type Error<'t> = Rich<'t, Token, SimpleSpan>;
type Extra<'t> = extra::Err<Error<'t>>;

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
    /// Any other token.
    Prose,
}

/// `{ ... }` as written.
#[derive(Clone, Debug)]
pub(crate) struct RawAttrList {
    pub range: TextRange,
    pub items: Vec<RawAttr>,
    pub closed: bool,
}

/// `@source ...` as written.
#[derive(Clone, Debug)]
pub(crate) struct RawSource {
    pub range: TextRange,
    pub items: Vec<RawAttr>,
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

/// A string as written: its whole range and whether it is closed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawStr {
    pub range: TextRange,
    pub closed: bool,
}

fn tr(span: SimpleSpan) -> TextRange {
    TextRange::new(span.start, span.end)
}

/// Whether `offset` starts a line, allowing up to three spaces of indentation as Markdown does.
pub(crate) fn at_line_start(src: &str, offset: usize) -> bool {
    let before = &src.as_bytes()[..offset];
    let indent = before
        .iter()
        .rev()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    if indent > 3 {
        return false;
    }
    let rest = &before[..before.len() - indent];
    // A byte order mark at the very start of the file is not text.
    rest.is_empty() || rest == "\u{feff}".as_bytes() || matches!(rest.last(), Some(b'\n' | b'\r'))
}

/// Parse the tokens of `src` into raw items.
pub(crate) fn parse_items(
    src: &str,
    tokens: &[(Token, SimpleSpan)],
    eoi: usize,
) -> (Vec<RawItem>, Vec<Error<'static>>) {
    let input = tokens.split_token_span(SimpleSpan::from(eoi..eoi));
    let (items, errors) = items_parser(src).parse(input).into_output_errors();
    // The grammar is total, so errors are unexpected; keep them as plain messages.
    let errors = errors
        .into_iter()
        .map(|e| Rich::custom(*e.span(), e.to_string()))
        .collect();
    (items.unwrap_or_default(), errors)
}

fn items_parser<'t, I>(src: &'t str) -> impl Parser<'t, I, Vec<RawItem>, Extra<'t>>
where
    I: ValueInput<'t, Token = Token, Span = SimpleSpan>,
{
    let string = just(Token::Quote)
        .then(none_of([Token::Quote, Token::ParaBreak]).repeated())
        .then(just(Token::Quote).or_not())
        .map_with(|((_, _), close), e| RawStr {
            range: tr(e.span()),
            closed: close.is_some(),
        });

    let word = just(Token::Word).map_with(|_, e| tr(e.span()));

    let seg = choice((
        string.map(Seg::Str),
        word.map(Seg::Word),
        just(Token::Colon).map_with(|_, e| Seg::Colon(tr(e.span()))),
        just(Token::Hash).map_with(|_, e| Seg::Hash(tr(e.span()))),
    ));

    let attr = choice((
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
        string.map(RawAttr::Str),
    ));

    let gap = choice((
        just(Token::Ws),
        just(Token::Newline),
        any().filter(|t| matches!(t, Token::Comment(_))),
    ))
    .ignored();

    // An attribute list stops at its `}`, or, when that is missing, at the next blank line,
    // `[` or `@source`: those are where recovery resumes.
    let junk = none_of([
        Token::RBrace,
        Token::ParaBreak,
        Token::LBracket,
        Token::AtSource,
    ])
    .map_with(|t, e| RawAttr::Junk(t, tr(e.span())));
    let attr_list = just(Token::LBrace)
        .ignore_then(
            choice((gap.to(None), attr.map(Some), junk.map(Some)))
                .repeated()
                .collect::<Vec<_>>(),
        )
        .then(just(Token::RBrace).or_not())
        .map_with(|(items, close), e| RawAttrList {
            range: tr(e.span()),
            items: items.into_iter().flatten().collect(),
            closed: close.is_some(),
        });

    let claim_close = just(Token::RBracket)
        .map_with(|_, e| tr(e.span()))
        .then(attr_list)
        .map(|(rbracket, attrs)| RawItem::ClaimClose { rbracket, attrs });

    let line_end = one_of([Token::Newline, Token::ParaBreak]);
    let source_item = choice((
        just(Token::Ws).to(None),
        any().filter(|t| matches!(t, Token::Comment(_))).to(None),
        attr.map(Some),
        any()
            .and_is(line_end.not())
            .map_with(|t, e| Some(RawAttr::Junk(t, tr(e.span())))),
    ));
    let source = just(Token::AtSource)
        .try_map(move |t, span: SimpleSpan| {
            if at_line_start(src, span.start) {
                Ok(t)
            } else {
                Err(Rich::custom(span, "not at line start"))
            }
        })
        .ignore_then(source_item.repeated().collect::<Vec<_>>())
        .map_with(|items, e| {
            RawItem::Source(RawSource {
                range: tr(e.span()),
                items: items.into_iter().flatten().collect(),
            })
        });

    let heading = just(Token::Hash)
        .repeated()
        .at_least(1)
        .count()
        .map_with(|n, e| (n, tr(e.span())))
        .then_ignore(just(Token::Ws).rewind())
        .try_map(move |(level, marks), span: SimpleSpan| {
            if level <= 6 && at_line_start(src, marks.start) {
                Ok(RawItem::Heading { level, marks })
            } else {
                Err(Rich::custom(span, "not a heading"))
            }
        });

    let item = choice((
        any()
            .filter(|t| matches!(t, Token::Comment(_)))
            .map_with(|t, e| RawItem::Comment(tr(e.span()), t == Token::Comment(true))),
        source,
        heading,
        claim_close,
        just(Token::LBracket).map_with(|_, e| RawItem::Open(tr(e.span()))),
        just(Token::RBracket).to(RawItem::Close),
        just(Token::ParaBreak).to(RawItem::ParaBreak),
        any().to(RawItem::Prose),
    ));

    item.repeated().collect::<Vec<_>>().then_ignore(end())
}
