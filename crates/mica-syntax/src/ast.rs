//! The syntax tree of a `.mica` document: the annotations (sources, claims, attributes,
//! citations) with byte ranges; prose is not stored beyond headings and comments.

use crate::text::TextRange;
use compact_str::CompactString;
use serde::Serialize;

/// A parsed document.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Document {
    /// The `---` block at the top, if any.
    pub front_matter: Option<FrontMatter>,
    /// `@source` declarations in order.
    pub sources: Vec<SourceDecl>,
    /// Claims in order of their opening bracket.
    pub claims: Vec<Claim>,
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// Comments (`<!-- -->`), whole ranges.
    pub comments: Vec<TextRange>,
}

/// Front matter: `key: value` lines between two `---` lines at the very top.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrontMatter {
    /// From the first `---` to the end of the closing `---` line.
    pub range: TextRange,
    /// The entries in order.
    pub entries: Vec<FrontMatterEntry>,
}

/// One `key: value` line of the front matter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FrontMatterEntry {
    /// The key.
    pub key: Ident,
    /// The value, trimmed.
    pub value: String,
    /// The value's range.
    pub value_range: TextRange,
}

/// A heading line (`#` to `######`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The heading's text with claim markup removed.
    pub title: String,
    /// The whole line, without its line ending.
    pub range: TextRange,
}

/// A name with its range: a source id, a claim id, a tag, an attribute key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ident {
    /// The text, held inline when it is short (as ids, tags and keys are), so that the many
    /// names of a large brief are not each an allocation.
    pub name: CompactString,
    /// Where it is written (without a leading `#` or `.`).
    pub range: TextRange,
}

/// A double-quoted string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StrLit {
    /// The value with `\"` and `\\` resolved.
    pub value: String,
    /// The whole literal including its quotes.
    pub range: TextRange,
    /// Whether the closing quote is there.
    pub terminated: bool,
}

impl StrLit {
    /// The range between the quotes.
    pub fn inner_range(&self) -> TextRange {
        let end = if self.terminated {
            self.range.end() - 1
        } else {
            self.range.end()
        };
        TextRange::new((self.range.start() + 1).min(end), end)
    }
}

/// `@source ID "PATH" ATTRS...`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceDecl {
    /// The whole declaration.
    pub range: TextRange,
    /// The source id; `None` if missing.
    pub id: Option<Ident>,
    /// The path; `None` if missing.
    pub path: Option<StrLit>,
    /// `key=value` attributes (`title`, `url`, `date`, `reliability`, ...).
    pub attrs: Vec<Attr>,
}

/// `[text]{attrs}`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Claim {
    /// The claim's text: escapes resolved, comments dropped, whitespace runs collapsed.
    /// This and the two lists below are boxed slices, with no room to grow: a large brief
    /// holds a claim for every hundred-odd bytes, and a `Vec` is a word larger.
    pub text: Box<str>,
    /// Between the brackets.
    pub text_range: TextRange,
    /// From `{` to `}` (or to where the list stopped if unclosed).
    pub attrs_range: TextRange,
    /// `#id`, the first one.
    pub id: Option<Ident>,
    /// `.tag`s.
    pub tags: Box<[Ident]>,
    /// `key=value` attributes.
    pub attrs: Box<[Attr]>,
    /// Whether a syntax error was found inside this claim (checkers then stay quiet about it).
    pub has_errors: bool,
}

impl Claim {
    /// From `[` to `}` (or to where the attribute list stopped if unclosed). Derived rather
    /// than stored, as a large brief holds many claims: the `[` is the byte before the text.
    pub fn range(&self) -> TextRange {
        TextRange::new(
            self.text_range.start().saturating_sub(1),
            self.attrs_range.end(),
        )
    }

    /// The attributes with key `key`.
    pub fn attrs_named<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Attr> + 'a {
        self.attrs.iter().filter(move |a| a.key.name == key)
    }

    /// The citations of this claim, in order.
    pub fn citations(&self) -> impl Iterator<Item = &Citation> + '_ {
        self.attrs.iter().filter_map(|a| match &a.value.kind {
            ValueKind::Citation(c) => Some(&**c),
            _ => None,
        })
    }
}

/// `key=value`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Attr {
    /// The key.
    pub key: Ident,
    /// The value.
    pub value: Value,
}

impl Attr {
    /// From the key to the end of the value. Derived rather than stored: a large brief holds
    /// several attributes per claim, and the field was a seventh of each.
    pub fn range(&self) -> TextRange {
        self.key.range.cover(self.value.range)
    }
}

/// An attribute's value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Value {
    /// Where it is written.
    pub range: TextRange,
    /// What it is.
    pub kind: ValueKind,
}

impl Value {
    /// For a `#id` value, the id it names, with its range (without the `#`).
    pub fn target(&self) -> Option<Ident> {
        match &self.kind {
            ValueKind::Ref(name) => Some(Ident {
                name: CompactString::from(&**name),
                range: TextRange::new(self.range.start() + 1, self.range.end()),
            }),
            _ => None,
        }
    }
}

/// The kinds of attribute values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ValueKind {
    /// A bare word: `high`, `0.7`, `55%`, `almost-certain`.
    Bare(CompactString),
    /// A quoted string, boxed: claims seldom have one, and every attribute would otherwise be
    /// as large as one.
    Str(Box<StrLit>),
    /// `#id`: a reference to a claim, by the id's name. Its range is the value's after the
    /// `#` ([`Value::target`] gives both): an [`Ident`] here would make every value, and so
    /// every attribute of a large brief, a word larger.
    Ref(Box<str>),
    /// A citation (the value of `cite`), boxed: it is the largest kind by far, and every
    /// attribute would otherwise be as large (an `Attr` took 224 bytes instead of 120).
    Citation(Box<Citation>),
    /// A value that does not have the form its key needs; the text says why.
    Invalid(Box<str>),
    /// Nothing after `=`.
    Missing,
}

/// `SOURCE[:L12[-14]][:"quote"]`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Citation {
    /// The whole citation.
    pub range: TextRange,
    /// The cited source id.
    pub source: Ident,
    /// The line locator.
    pub lines: Option<LineLocator>,
    /// The quote.
    pub quote: Option<StrLit>,
}

/// `L12` or `L12-14`: 1-based, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineLocator {
    /// First line (1-based). Lines are counted in 32 bits, as offsets are: a source has
    /// fewer lines than bytes.
    pub start: u32,
    /// Last line (1-based, inclusive).
    pub end: u32,
    /// Where it is written.
    pub range: TextRange,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A claim's attributes, tags and text take no more room than they need, nor do the
    /// claims: a brief holds many claims, and a vector or string grown one item at a time
    /// holds up to twice what it needs (a vector of one tag has room for four).
    #[test]
    fn a_claims_parts_have_no_spare_room() {
        let text = "[a]{#a conf=high}\n\n[b]{#b conf=high p=likely cite=s:\"q\"}\n\n\
                    [c is a longer text, <!-- with a comment --> and [a nested]{#n} claim]\
                    {#c .t .u conf=low p=0.7 cite=s:\"q\" supports=#a note=\"n\"}\n\n\
                    [d]{.only-a-tag .and-another .and-a-third .and-a-fourth .and-a-fifth}\n";
        let claims = crate::parse(text).document.claims;
        assert_eq!(claims.len(), 4);
        assert_eq!(claims.capacity(), claims.len());
        assert_eq!(&*claims[2].text, "c is a longer text, and a nested claim");
        assert_eq!((claims[2].tags.len(), claims[3].tags.len()), (2, 5));
        assert_eq!(claims[2].attrs.len(), 5);
        // A claim's text, tags and attributes are boxed slices, exact by their type.
        assert!(std::mem::size_of::<Claim>() <= 112);
    }

    /// Ids, tags, keys and bare values are held inline: a brief has several per claim, and a
    /// large one would otherwise make an allocation of each. A reference's name is boxed, as
    /// fewer attributes are references than a box makes every attribute smaller.
    #[test]
    fn short_names_take_no_allocation() {
        let text = "[a]{#c1234 .economy conf=high p=likely cite=wiki:\"q\" supports=#c1}\n";
        let claim = &crate::parse(text).document.claims[0];
        let mut names = vec![&claim.id.as_ref().unwrap().name, &claim.tags[0].name];
        for a in &claim.attrs {
            names.push(&a.key.name);
            match &a.value.kind {
                ValueKind::Bare(b) => names.push(b),
                ValueKind::Citation(c) => names.push(&c.source.name),
                _ => {}
            }
        }
        assert_eq!(names.len(), 9);
        for n in names {
            assert!(!n.is_heap_allocated(), "{n}");
        }
    }

    /// An attribute stays small: a claim holds several, and a brief many claims, so that a
    /// large citation inline would make every attribute (and a 50 MB brief's tree) larger.
    #[test]
    fn an_attribute_is_small() {
        use std::mem::size_of;
        // A quoted value is boxed, as a citation is, and a reference or an invalid value holds
        // a boxed string: the kind then fits in a bare word's 24 bytes.
        assert!(size_of::<ValueKind>() <= 24, "{}", size_of::<ValueKind>());
        assert!(size_of::<Attr>() <= 64, "{}", size_of::<Attr>());
        // A citation's box fits the allocator's 112-byte class (104 bytes and its header).
        assert!(size_of::<Citation>() <= 104, "{}", size_of::<Citation>());
    }
}
