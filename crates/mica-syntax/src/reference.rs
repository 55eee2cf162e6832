//! The previous parser, kept for tests only: chumsky over every logos token of the body
//! builds the flat list of raw items. The differential tests hold the shipped parser
//! ([`crate::parser`]) to the same tree and errors on every example and on generated text.

use crate::lexer::{self, Token};
use crate::parser::{RawAttr, RawAttrList, RawItem, RawSource, RawStr, Seg};
use crate::{Parse, SyntaxError, TextRange};
use chumsky::input::{Input as _, ValueInput};
use chumsky::prelude::*;

/// The parser's error type.
pub(crate) type Error<'t> = Rich<'t, Token, SimpleSpan>;
type Extra<'t> = extra::Err<Error<'t>>;

/// Parse `text` as the previous parser did.
pub(crate) fn parse(text: &str) -> Parse {
    let (front_matter, body, mut errors) = crate::front_matter(text);
    let tokens: Vec<(Token, SimpleSpan)> = lexer::lex(text, body)
        .into_iter()
        .map(|(t, r)| (t, SimpleSpan::from(r.to_range())))
        .collect();
    let (items, parse_errors) = parse_items(text, &tokens, text.len());
    let mut lowerer = crate::lower::Lowerer::new(text);
    for item in items {
        lowerer.push(item);
    }
    lowerer.finish();
    errors.extend(lowerer.errors);
    errors.extend(parse_errors.into_iter().map(|e| SyntaxError {
        range: TextRange::new(e.span().start, e.span().end),
        message: e.to_string(),
        fix: None,
    }));
    errors.sort_by_key(|e| (e.range.start(), e.range.end()));
    let mut document = lowerer.doc;
    document.front_matter = front_matter;
    Parse { document, errors }
}

fn tr(span: SimpleSpan) -> TextRange {
    TextRange::new(span.start, span.end)
}

/// Whether `offset` starts a line, allowing up to three spaces of indentation as Markdown does.
fn at_line_start(src: &str, offset: usize) -> bool {
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
            slips: Vec::new(),
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
                slips: Vec::new(),
            })
        });

    let heading = just(Token::Hash)
        .repeated()
        .at_least(1)
        .count()
        .map_with(|n, e| (n, tr(e.span())))
        .then_ignore(just(Token::Ws).rewind())
        .try_map(move |(level, marks), span: SimpleSpan| {
            if level <= 6 && at_line_start(src, marks.start()) {
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
