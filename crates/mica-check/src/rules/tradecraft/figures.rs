//! Figures in prose, read by value: `86%` = `86 percent` = `86 per cent`, `$300 billion` =
//! `US$300 billion` = `300 billion dollars`, `1,000` = `1000`, `1.4 trillion` = `1,400bn`.
//!
//! A figure is a number written in digits with what qualifies it: a currency before or after
//! (`$`, `US$`, `€`, `¥`, `RMB`, `USD`, dollars, yuan, euros, ...), a scale word or abbreviation
//! (thousand, million, billion, trillion; k, m, bn, tn), a percent sign or word, an ordinal
//! suffix (`14th`), and a bound before it ("more than", "at least", "about", "up to"). A
//! four-digit whole number from 1500 to 2200 with nothing attached is a year, and years only
//! ever match years. In a source passage, numbers written as words ("ten", "fourteenth",
//! "forty percent") are figures too, so a claim may put a source's words in digits.
//!
//! What is not a figure: digits inside a word or name (`MIC25`, `COVID-19`, `5G`, `1990s`), in a
//! fraction or path (`24/7`, a URL), and a bare number right after a capitalised word in the
//! middle of a sentence ("Made in China 2025", "Section 301"), which names something rather than
//! counts it; a month name ("May 2015") is no such name.
//!
//! Length: about 640 lines of code and 100 of unit tests. Reading a figure (number, currency,
//! scale, percent, ordinal, year, bound) is one small grammar read in one pass over the text,
//! so it stays in one file.

use mica_syntax::TextRange;
use std::borrow::Cow;

/// What a figure counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An amount or a count, possibly of money.
    Count,
    /// A percentage (or percentage points).
    Percent,
    /// A calendar year.
    Year,
    /// An ordinal: `14th`, "fourteenth".
    Ordinal,
}

/// How the text bounds the figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// As written.
    Exact,
    /// "about", "roughly", "nearly": the value rounded to the precision it is written with.
    About,
    /// "more than", "at least", "over": the value or more.
    AtLeast,
    /// "less than", "at most", "up to": the value or less.
    AtMost,
}

/// One figure found in prose.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figure {
    /// The figure as written, from its bound or currency to its unit (offset by the scan's base).
    pub range: TextRange,
    /// Just the number and its unit, for messages.
    pub core: TextRange,
    /// What it counts.
    pub kind: Kind,
    /// Its value, scale applied (`$1.4 trillion` is 1.4e12; `86%` is 86).
    pub value: f64,
    /// The place of its last written significant digit, scale applied (`300 billion`: 1e11,
    /// `1.4`: 0.1), which is how far "about" reaches.
    pub unit: f64,
    /// An ISO currency code when the text names one.
    pub currency: Option<&'static str>,
    /// Its bound.
    pub bound: Bound,
}

/// Whose text is scanned: claims are read strictly, passages generously.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The analyst's claim: figures in digits only.
    Claim,
    /// A source passage: number words count too.
    Passage,
}

const SCALES: &[(&str, f64)] = &[
    ("thousand", 1e3),
    ("million", 1e6),
    ("billion", 1e9),
    ("trillion", 1e12),
    ("trn", 1e12),
    ("tn", 1e12),
    ("bn", 1e9),
    ("mn", 1e6),
];

/// Abbreviations accepted only when glued to the number (`5m`, `300k`).
const GLUED_SCALES: &[(&str, f64)] = &[("k", 1e3), ("m", 1e6), ("b", 1e9)];

/// Currency words after a number, longest first.
const CURRENCY_AFTER: &[(&str, &str)] = &[
    ("us dollars", "USD"),
    ("u.s. dollars", "USD"),
    ("dollars", "USD"),
    ("dollar", "USD"),
    ("usd", "USD"),
    ("renminbi", "CNY"),
    ("yuan", "CNY"),
    ("rmb", "CNY"),
    ("cny", "CNY"),
    ("euros", "EUR"),
    ("euro", "EUR"),
    ("eur", "EUR"),
    ("pounds sterling", "GBP"),
    ("gbp", "GBP"),
    ("yen", "JPY"),
    ("jpy", "JPY"),
];

/// Currency marks before a number, longest first. `¥` is read as the yuan, as in the Chinese
/// sources Mica is used with; write "yen" or JPY for the Japanese currency.
const CURRENCY_BEFORE: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("HK$", "HKD"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("USD", "USD"),
    ("RMB", "CNY"),
    ("CNY", "CNY"),
    ("EUR", "EUR"),
    ("GBP", "GBP"),
    ("JPY", "JPY"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "CNY"),
    ("￥", "CNY"),
];

const PERCENT_WORDS: &[&str] = &[
    "percentage points",
    "percentage point",
    "per cent",
    "percent",
    "pct",
];

const BOUNDS: &[(&str, Bound)] = &[
    ("more than", Bound::AtLeast),
    ("at least", Bound::AtLeast),
    ("in excess of", Bound::AtLeast),
    ("upwards of", Bound::AtLeast),
    ("exceeding", Bound::AtLeast),
    ("over", Bound::AtLeast),
    ("above", Bound::AtLeast),
    ("less than", Bound::AtMost),
    ("fewer than", Bound::AtMost),
    ("at most", Bound::AtMost),
    ("up to", Bound::AtMost),
    ("under", Bound::AtMost),
    ("below", Bound::AtMost),
    ("approximately", Bound::About),
    ("an estimated", Bound::About),
    ("roughly", Bound::About),
    ("around", Bound::About),
    ("about", Bound::About),
    ("nearly", Bound::About),
    ("almost", Bound::About),
    ("close to", Bound::About),
    ("circa", Bound::About),
    ("some", Bound::About),
    ("~", Bound::About),
];

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

const NUMBER_WORDS: &[(&str, f64)] = &[
    ("zero", 0.0),
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fifty", 50.0),
    ("sixty", 60.0),
    ("seventy", 70.0),
    ("eighty", 80.0),
    ("ninety", 90.0),
    ("hundred", 100.0),
    ("dozen", 12.0),
];

const ORDINAL_WORDS: &[(&str, f64)] = &[
    ("first", 1.0),
    ("second", 2.0),
    ("third", 3.0),
    ("fourth", 4.0),
    ("fifth", 5.0),
    ("sixth", 6.0),
    ("seventh", 7.0),
    ("eighth", 8.0),
    ("ninth", 9.0),
    ("tenth", 10.0),
    ("eleventh", 11.0),
    ("twelfth", 12.0),
    ("thirteenth", 13.0),
    ("fourteenth", 14.0),
    ("fifteenth", 15.0),
    ("sixteenth", 16.0),
    ("seventeenth", 17.0),
    ("eighteenth", 18.0),
    ("nineteenth", 19.0),
    ("twentieth", 20.0),
];

/// Whether `c` belongs to a script written without spaces between words (CJK and later
/// blocks), as the suggestion widener in `mica-sources` also treats them.
fn is_unspaced(c: char) -> bool {
    c >= '\u{2E80}' && c.is_alphanumeric()
}

/// Prepositions that make a year in an estimative judgement its time frame: "through 2030".
const HORIZONS: &[&str] = &[
    "by", "through", "until", "till", "before", "beyond", "to", "in",
];

/// Whether the year at `start` is the time frame of a judgement ("by 2030"), not a fact it
/// reports.
pub fn is_horizon(text: &str, start: usize) -> bool {
    word_before(text, start)
        .is_some_and(|(_, w)| HORIZONS.iter().any(|h| w.eq_ignore_ascii_case(h)))
}

/// Whether `text` starts with `word` (ASCII case ignored) ending at a word boundary; returns
/// its length.
fn starts_word(text: &str, word: &str) -> Option<usize> {
    let head = text.get(..word.len())?;
    if !head.eq_ignore_ascii_case(word) {
        return None;
    }
    let next = text[word.len()..].chars().next();
    (!next.is_some_and(|c| c.is_alphanumeric())).then_some(word.len())
}

/// `text` after leading horizontal or vertical whitespace (any Unicode space, line breaks
/// included); returns how much was skipped.
fn skip_space(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// The word just before `pos`, separated from it by whitespace only.
fn word_before(text: &str, pos: usize) -> Option<(usize, &str)> {
    let head = text[..pos].trim_end();
    if head.len() == pos {
        return None;
    }
    let start = head
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '.' || *c == '\'' || *c == '’')
        .last()
        .map(|(i, _)| i)?;
    Some((start, &head[start..]))
}

/// Whether the word at `start` begins a sentence (or the text).
fn starts_sentence(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end();
    before.is_empty()
        || before.ends_with(['.', '!', '?', ':', ';', '(', '"', '“', '*', '—', '-', '['])
}

/// The figures of `text`, ranges offset by `base`.
pub fn extract(text: &str, base: usize, side: Side) -> Vec<Figure> {
    let mut out = Vec::new();
    let mut i = 0;
    let bytes = text.as_bytes();
    // In a claim only digits start a figure; most sentences have none.
    if side == Side::Claim && !bytes.iter().any(u8::is_ascii_digit) {
        return out;
    }
    while i < text.len() {
        // Fast path: ASCII punctuation and spaces start nothing and end any word.
        if bytes[i].is_ascii() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        let prev = text[..i].chars().next_back();
        // Scripts written without spaces (Chinese, Japanese) glue figures to words:
        // "中国制造2025" holds the year 2025.
        let at_boundary =
            !prev.is_some_and(|p| (p.is_alphanumeric() && !is_unspaced(p)) || p == '_');
        let next = if c.is_ascii_digit() && at_boundary {
            digits_at(text, i)
        } else if side == Side::Passage && c.is_alphabetic() && at_boundary {
            words_at(text, i)
        } else {
            None
        };
        match next {
            Some((mut f, end)) => {
                f.range = TextRange::new(base + f.range.start(), base + f.range.end());
                f.core = TextRange::new(base + f.core.start(), base + f.core.end());
                out.push(f);
                i = end;
            }
            None => {
                // Skip the rest of the word or number, so "MIC25" yields nothing.
                let mut j = i + c.len_utf8();
                if c.is_alphanumeric() && !is_unspaced(c) {
                    while bytes.get(j).is_some_and(u8::is_ascii_alphanumeric) {
                        j += 1;
                    }
                    if bytes.get(j).is_some_and(|b| !b.is_ascii()) {
                        j += text[j..]
                            .find(|n: char| !n.is_alphanumeric())
                            .unwrap_or(text.len() - j);
                    }
                }
                i = j;
            }
        }
    }
    out
}

/// A figure written in digits at `start`, and where scanning resumes.
fn digits_at(text: &str, start: usize) -> Option<(Figure, usize)> {
    let prev = text[..start].chars().next_back();
    if matches!(prev, Some('.' | '/' | ',')) {
        return None;
    }
    if prev == Some('-')
        && text[..start - 1]
            .chars()
            .next_back()
            .is_some_and(char::is_alphabetic)
    {
        return None; // COVID-19, Su-57
    }
    let b = text.as_bytes();
    let mut j = start;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    let int_digits = j - start;
    let mut has_comma = false;
    while b.get(j) == Some(&b',')
        && b.get(j + 1..j + 4)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && !b.get(j + 4).is_some_and(u8::is_ascii_digit)
    {
        has_comma = true;
        j += 4;
    }
    let mut decimals = 0;
    if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
        let mut k = j + 1;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        decimals = k - j - 1;
        j = k;
        if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
            return None; // a version or a date such as 4.0.1
        }
    }
    if b.get(j) == Some(&b'/') {
        return None;
    }
    let written = &text[start..j];
    let number: Cow<'_, str> = if has_comma {
        Cow::Owned(written.replace(',', ""))
    } else {
        Cow::Borrowed(written)
    };
    let value: f64 = number.parse().ok()?;
    let mut unit = if decimals > 0 {
        10f64.powi(-(decimals as i32))
    } else {
        let int = number.trim_start_matches('0');
        let zeros = int.len() - int.trim_end_matches('0').len();
        10f64.powi(zeros as i32)
    };
    let mut kind = Kind::Count;
    let mut scale = 1.0;
    let mut currency = None;
    let mut end = j;
    let rest = &text[j..];
    // Glued suffixes: ordinal, scale abbreviation, percent.
    if let Some(n) = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| starts_word(rest, s))
    {
        kind = Kind::Ordinal;
        end += n;
    } else if let Some((n, s)) = SCALES
        .iter()
        .chain(GLUED_SCALES)
        .find_map(|(w, s)| starts_word(rest, w).map(|n| (n, *s)))
    {
        scale = s;
        end += n;
    } else if rest.starts_with('%') {
        kind = Kind::Percent;
        end += 1;
    } else if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None; // 5G, 1990s, 3D
    }
    if kind == Kind::Count {
        let gap = skip_space(&text[end..]);
        if scale == 1.0
            && let Some((n, s)) = SCALES
                .iter()
                .find_map(|(w, s)| starts_word(&text[end + gap..], w).map(|n| (n, *s)))
        {
            scale = s;
            end += gap + n;
        }
        let gap = skip_space(&text[end..]);
        let after = &text[end + gap..];
        if let Some(n) = PERCENT_WORDS.iter().find_map(|w| starts_word(after, w)) {
            kind = Kind::Percent;
            end += gap + n;
        } else if let Some((n, code)) = CURRENCY_AFTER
            .iter()
            .find_map(|(w, code)| starts_word(after, w).map(|n| (n, *code)))
        {
            currency = Some(code);
            end += gap + n;
        }
    }
    // A currency mark before the number, with at most a space between.
    let mut first = start;
    let head = text[..start].strip_suffix(' ').unwrap_or(&text[..start]);
    if let Some((mark, code)) = CURRENCY_BEFORE.iter().find(|(m, _)| head.ends_with(m)) {
        let at = head.len() - mark.len();
        let glued_to_word = mark.starts_with(|c: char| c.is_ascii_alphabetic())
            && text[..at]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
        if !glued_to_word {
            currency = currency.or(Some(code));
            first = at;
        }
    }
    let core = TextRange::new(first, end);
    let plain = kind == Kind::Count && currency.is_none() && scale == 1.0;
    if plain && !has_comma && decimals == 0 && int_digits == 4 && (1500.0..=2200.0).contains(&value)
    {
        kind = Kind::Year;
    }
    if plain && names_something(text, first) {
        return None;
    }
    let (bound, from) = if kind == Kind::Year {
        (Bound::Exact, first)
    } else {
        bound_before(text, first)
    };
    unit *= scale;
    Some((
        Figure {
            range: TextRange::new(from, end),
            core,
            kind,
            value: value * scale,
            unit,
            currency,
            bound,
        },
        end,
    ))
}

/// Whether a bare number at `start` follows a capitalised word mid-sentence, as in "Made in
/// China 2025" or "Section 301".
fn names_something(text: &str, start: usize) -> bool {
    let Some((at, word)) = word_before(text, start) else {
        return false;
    };
    // An acronym names something even at the start of a sentence: "MIC 2025".
    let acronym = word.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && word.chars().all(|c| !c.is_alphabetic() || c.is_uppercase());
    word.starts_with(|c: char| c.is_uppercase())
        && !MONTHS.contains(&word.trim_end_matches('.').to_lowercase().as_str())
        && (acronym || !starts_sentence(text, at))
}

/// The bound written before the figure starting at `start`, and where it starts.
fn bound_before(text: &str, start: usize) -> (Bound, usize) {
    let head = text[..start].trim_end();
    for (phrase, bound) in BOUNDS {
        if head.len() >= phrase.len() {
            let at = head.len() - phrase.len();
            if head.is_char_boundary(at)
                && head[at..].eq_ignore_ascii_case(phrase)
                && (*phrase == "~"
                    || !head[..at]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric))
            {
                return (*bound, at);
            }
        }
    }
    (Bound::Exact, start)
}

/// A number written in words at `start` ("ten", "forty percent", "fourteenth").
fn words_at(text: &str, start: usize) -> Option<(Figure, usize)> {
    let rest = &text[start..];
    // Read the word once and compare it whole: trying every number word at every word of a
    // long passage would cost fifty comparisons a word.
    let word = &rest[..rest
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(rest.len())];
    if !(3..=10).contains(&word.len()) {
        return None;
    }
    let is = |w: &str| w.len() == word.len() && w.eq_ignore_ascii_case(word);
    if let Some((n, v)) = ORDINAL_WORDS
        .iter()
        .find(|(w, _)| is(w))
        .map(|(w, v)| (w.len(), *v))
    {
        let r = TextRange::new(start, start + n);
        let f = Figure {
            range: r,
            core: r,
            kind: Kind::Ordinal,
            value: v,
            unit: 1.0,
            currency: None,
            bound: Bound::Exact,
        };
        return Some((f, start + n));
    }
    let (n, v) = NUMBER_WORDS
        .iter()
        .find(|(w, _)| is(w))
        .map(|(w, v)| (w.len(), *v))?;
    let mut end = start + n;
    let mut value = v;
    let mut kind = Kind::Count;
    let gap = skip_space(&text[end..]);
    if let Some((m, s)) = SCALES
        .iter()
        .find_map(|(w, s)| starts_word(&text[end + gap..], w).map(|m| (m, *s)))
    {
        value *= s;
        end += gap + m;
    }
    let gap = skip_space(&text[end..]);
    if let Some(m) = PERCENT_WORDS
        .iter()
        .find_map(|w| starts_word(&text[end + gap..], w))
    {
        kind = Kind::Percent;
        end += gap + m;
    }
    let r = TextRange::new(start, end);
    let f = Figure {
        range: r,
        core: r,
        kind,
        value,
        unit: 1.0,
        currency: None,
        bound: Bound::Exact,
    };
    Some((f, end))
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Whether a passage's figure `p` bears out the claim's figure `c`.
pub fn supports(p: &Figure, c: &Figure) -> bool {
    let kinds = match c.kind {
        Kind::Year => p.kind == Kind::Year,
        Kind::Ordinal => matches!(p.kind, Kind::Ordinal | Kind::Count),
        Kind::Percent => p.kind == Kind::Percent,
        Kind::Count => p.kind == Kind::Count,
    };
    if !kinds {
        return false;
    }
    if let (Some(a), Some(b)) = (p.currency, c.currency)
        && a != b
    {
        return false;
    }
    match c.bound {
        _ if c.kind == Kind::Year => same(p.value, c.value),
        Bound::Exact => same(p.value, c.value),
        Bound::About => (p.value - c.value).abs() <= c.unit / 2.0 + 1e-9 * c.value.abs(),
        Bound::AtLeast => p.value >= c.value || same(p.value, c.value),
        Bound::AtMost => p.value <= c.value || same(p.value, c.value),
    }
}

/// The index of the passage figure closest in value to the claim's `c`, of the same kind, when
/// one is near (within a factor of ten; years within ten years).
pub fn nearest(c: &Figure, passage: &[Figure]) -> Option<usize> {
    let distance = |p: &Figure| -> Option<f64> {
        if c.kind == Kind::Year {
            let d = (p.value - c.value).abs();
            return (p.kind == Kind::Year && d <= 10.0).then_some(d);
        }
        let kinds = p.kind == c.kind || (c.kind == Kind::Ordinal && p.kind == Kind::Count);
        if !kinds || p.value <= 0.0 || c.value <= 0.0 {
            return None;
        }
        let d = (p.value / c.value).ln().abs();
        (d <= 10f64.ln()).then_some(d)
    };
    passage
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((distance(p)?, i)))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(s: &str) -> Vec<(&str, Kind, f64, Option<&str>, Bound)> {
        extract(s, 0, Side::Claim)
            .into_iter()
            .map(|f| (&s[f.range.to_range()], f.kind, f.value, f.currency, f.bound))
            .collect()
    }

    fn backs(passage: &str, c: &str) -> bool {
        let ps = extract(passage, 0, Side::Passage);
        let cs = extract(c, 0, Side::Claim);
        assert_eq!(cs.len(), 1, "{c}: {cs:?}");
        ps.iter().any(|p| supports(p, &cs[0]))
    }

    #[test]
    fn figures_by_value() {
        assert!(backs("86 percent of targets", "86%"));
        assert!(backs("86 per cent", "86%"));
        assert!(backs("US$300 billion", "$300 billion"));
        assert!(backs("300 billion dollars", "$300 billion"));
        assert!(backs("$300\u{a0}billion", "USD 300bn"));
        assert!(backs("1,000 firms", "1000 firms"));
        assert!(backs("$1.4 trillion", "$1,400 billion"));
        assert!(backs("the 14th Five-Year Plan", "the 14th plan"));
        assert!(backs("in its fourteenth plan", "the 14th plan"));
        assert!(backs("ten priority sectors", "10 sectors"));
        assert!(backs("forty percent", "40%"));
        assert!(!backs("300 billion yuan", "$300 billion"));
        assert!(!backs("RMB 300 billion", "$300 billion"));
        assert!(backs("300 billion", "$300 billion"));
        assert!(!backs("$400 billion", "$300 billion"));
        assert!(!backs("86 of the 100", "86%"));
    }

    #[test]
    fn years_and_bounds() {
        assert!(backs("signed in May 2015", "in 2015"));
        assert!(!backs("2015 units", "in 2016"));
        assert!(!backs("by 2025", "over 2024")); // a year is never bounded
        assert!(backs("45% of output", "at least 40 percent"));
        assert!(!backs("35% of output", "at least 40 percent"));
        assert!(backs("59 percent of capacity", "about 60 percent"));
        assert!(!backs("54 percent", "about 60 percent"));
        assert!(backs("roughly US$310 billion", "around $300 billion"));
        assert!(backs("more than $300 billion", "more than $300 billion"));
        assert!(backs("may exceed 10 billion yuan", "up to 12 billion yuan"));
        assert!(!backs("the Made in China 2025 plan", "in 2025"));
        assert!(!backs("\"MIC 2025\" is", "in 2025"));
        assert!(is_horizon("grow through 2030", 13) && !is_horizon("signed May 2015", 11));
    }

    #[test]
    fn what_is_not_a_figure() {
        assert_eq!(
            claim("Made in China 2025 and MIC25, COVID-19, 5G, the 1990s, 24/7"),
            []
        );
        assert_eq!(claim("Version 4.0.1 of Section 301"), []);
        assert_eq!(
            claim("In 2015 the plan"),
            [("2015", Kind::Year, 2015.0, None, Bound::Exact)]
        );
        assert_eq!(
            claim("signed in May 2015; roughly US$300 billion, over 86%"),
            [
                ("2015", Kind::Year, 2015.0, None, Bound::Exact),
                (
                    "roughly US$300 billion",
                    Kind::Count,
                    3e11,
                    Some("USD"),
                    Bound::About
                ),
                ("over 86%", Kind::Percent, 86.0, None, Bound::AtLeast),
            ]
        );
        assert_eq!(claim("2015–2025")[1].0, "2025");
        assert_eq!(claim("(2016-2020)")[1].0, "2020");
        assert_eq!(claim("中国制造2025")[0].0, "2025");
        assert_eq!(claim("(https://x.org/a_2025)"), []);
    }

    #[test]
    fn nearest_value() {
        let ps = extract("it cost $300 billion in 2018, 33 centres", 0, Side::Passage);
        let c = extract("$400 billion", 0, Side::Claim);
        assert_eq!(ps[nearest(&c[0], &ps).unwrap()].value, 3e11);
        let c = extract("in 2019", 0, Side::Claim);
        assert_eq!(ps[nearest(&c[0], &ps).unwrap()].value, 2018.0);
        let c = extract("5%", 0, Side::Claim);
        assert!(nearest(&c[0], &ps).is_none());
    }
}
