//! The logos lexer: the tokens of `spec/mica.md` 2.7, which never fail to lex.
//!
//! Tokens carry no text of their own; a reader slices the source with each token's span.
//! Anything logos cannot match becomes [`Token::Error`], so lexing cannot fail and no byte of
//! the input is lost. The parser lexes only attribute lists and `@source` lines (it reads
//! prose with a byte loop); tools use the same tokens: to read one attribute list with byte
//! ranges, as the language server's completion does, take
//! `tokens(text, claim.attrs_range.start)` while the ranges end at or before
//! `claim.attrs_range.end`. Lexing may start at any token boundary (a claim's `{`, a line
//! start) and gives the same tokens there as lexing the whole text.

use crate::text::TextRange;
use logos::Logos;
use std::fmt;

/// One token of a `.mica` text.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Token {
    /// A run of spaces and tabs.
    #[regex(r"[ \t]+")]
    Ws,
    /// One line ending.
    #[regex(r"\r\n|\n|\r", priority = 10)]
    Newline,
    /// A line ending followed by one or more blank lines: the end of a paragraph.
    #[regex(r"(\r\n|\n|\r)([ \t]*(\r\n|\n|\r))+")]
    ParaBreak,
    /// `<!-- ... -->`; `false` when the comment runs to the end of the input unclosed.
    #[token("<!--", lex_comment)]
    Comment(bool),
    /// `@source`, the start of a source declaration when it begins a line.
    #[token("@source")]
    AtSource,
    /// `[`
    #[token("[")]
    LBracket,
    /// `]`
    #[token("]")]
    RBracket,
    /// `{`
    #[token("{")]
    LBrace,
    /// `}`
    #[token("}")]
    RBrace,
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `"`
    #[token("\"")]
    Quote,
    /// `#`
    #[token("#")]
    Hash,
    /// `=`
    #[token("=")]
    Eq,
    /// `:`
    #[token(":")]
    Colon,
    /// A backslash escape: `\[`, `\]`, `\{`, `\}`, `\\` or `\"`.
    #[regex(r#"\\[\[\]{}\\"]"#)]
    Escape,
    /// A lone backslash or `<`: prose.
    #[regex(r"[\\<]")]
    Punct,
    /// A run of any other characters.
    #[regex(r#"[^ \t\r\n\[\]{}()"\\#=:<]+"#)]
    Word,
    /// Input that no rule matched (kept so no byte is lost).
    Error,
}

fn lex_comment(lex: &mut logos::Lexer<'_, Token>) -> Option<bool> {
    let rest = lex.remainder();
    match rest.find("-->") {
        Some(i) => {
            lex.bump(i + 3);
            Some(true)
        }
        None => {
            lex.bump(rest.len());
            Some(false)
        }
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Token::Ws => "whitespace",
            Token::Newline => "end of line",
            Token::ParaBreak => "blank line",
            Token::Comment(_) => "comment",
            Token::AtSource => "`@source`",
            Token::LBracket => "`[`",
            Token::RBracket => "`]`",
            Token::LBrace => "`{`",
            Token::RBrace => "`}`",
            Token::LParen => "`(`",
            Token::RParen => "`)`",
            Token::Quote => "`\"`",
            Token::Hash => "`#`",
            Token::Eq => "`=`",
            Token::Colon => "`:`",
            Token::Escape => "escape",
            Token::Punct => "punctuation",
            Token::Word => "word",
            Token::Error => "invalid input",
        };
        f.write_str(s)
    }
}

/// The tokens of `text` from byte `offset` on, lazily, with absolute byte ranges. `offset`
/// must be a character boundary; use a token boundary to get the tokens the parser sees.
pub fn tokens(text: &str, offset: usize) -> impl Iterator<Item = (Token, TextRange)> + '_ {
    Token::lexer(&text[offset..])
        .spanned()
        .map(move |(tok, span)| {
            let range = TextRange::new(span.start + offset, span.end + offset);
            (tok.unwrap_or(Token::Error), range)
        })
}

/// All the tokens of `text` from byte `offset` on (see [`tokens`]).
pub fn lex(text: &str, offset: usize) -> Vec<(Token, TextRange)> {
    tokens(text, offset).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Token> {
        lex(text, 0).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn blank_lines_are_one_paragraph_break() {
        use Token::*;
        assert_eq!(
            kinds("a\n \n\nb\r\nc"),
            vec![Word, ParaBreak, Word, Newline, Word]
        );
    }

    #[test]
    fn comments_swallow_everything_and_report_unclosed() {
        use Token::*;
        assert_eq!(kinds("<!-- [x]{ -->y"), vec![Comment(true), Word]);
        assert_eq!(kinds("a <!-- never closed"), vec![Word, Ws, Comment(false)]);
    }

    #[test]
    fn an_attribute_list_lexes_alone_as_in_the_whole_text() {
        let text = "Prose [a claim]{#c1 conf=high cite=wiki:L3:\"q\"} more";
        let claim = &crate::parse(text).document.claims[0];
        let list: Vec<_> = tokens(text, claim.attrs_range.start())
            .take_while(|(_, r)| r.end() <= claim.attrs_range.end())
            .collect();
        let whole: Vec<_> = lex(text, 0)
            .into_iter()
            .filter(|(_, r)| claim.attrs_range.contains_range(*r))
            .collect();
        assert_eq!(list, whole);
        assert_eq!(list.first().map(|t| t.0), Some(Token::LBrace));
        assert_eq!(list.last().map(|t| t.0), Some(Token::RBrace));
    }

    #[test]
    fn lexing_covers_every_byte() {
        let text = "é\u{0}\\x <3 [a]{#b .c k=\"v\\\"\"}";
        let toks = lex(text, 0);
        let mut at = 0;
        for (_, r) in &toks {
            assert_eq!(r.start(), at);
            at = r.end();
        }
        assert_eq!(at, text.len());
    }
}
