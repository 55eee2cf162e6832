//! The vocabulary of attributes and of analytic tradecraft: which keys exist and which values
//! they take, the ICD 203 estimative terms with the words analysts write for them, and the
//! Admiralty grades. The rules, hovers and completions all read it from here.

/// Keys a claim's attribute list accepts.
pub const CLAIM_KEYS: &[(&str, &str)] = &[
    ("conf", "analytic confidence: low, moderate or high"),
    (
        "p",
        "likelihood: an ICD 203 term, a number in [0,1] or a percentage",
    ),
    (
        "cite",
        "a citation: SOURCE, then optional `:L12` or `:L12-14` and `:\"quote\"`",
    ),
    ("supports", "the id of a claim this one supports: `#id`"),
    (
        "contradicts",
        "the id of a claim this one contradicts: `#id`",
    ),
    ("note", "a free-text note in double quotes"),
];

/// Keys that may be given only once per claim.
pub const SINGLE_KEYS: &[&str] = &["conf", "p", "note"];

/// Keys a source declaration accepts.
pub const SOURCE_KEYS: &[(&str, &str)] = &[
    ("title", "the document's title"),
    ("url", "where the document was published"),
    ("date", "publication date: YYYY, YYYY-MM or YYYY-MM-DD"),
    (
        "reliability",
        "source reliability on the Admiralty scale, A to F",
    ),
];

/// Analytic confidence levels.
pub const CONFIDENCE: &[(&str, &str)] = &[
    (
        "low",
        "low confidence: the information is scant, questionable or fragmented",
    ),
    (
        "moderate",
        "moderate confidence: credibly sourced and plausible, not corroborated enough for high",
    ),
    (
        "high",
        "high confidence: high-quality information from several sources",
    ),
];

/// ICD 203 likelihood terms with their probability ranges in percent.
pub const LIKELIHOOD: &[(&str, u8, u8)] = &[
    ("almost-no-chance", 1, 5),
    ("very-unlikely", 5, 20),
    ("unlikely", 20, 45),
    ("roughly-even", 45, 55),
    ("likely", 55, 80),
    ("very-likely", 80, 95),
    ("almost-certain", 95, 99),
];

/// The words and phrases of prose that state an ICD 203 likelihood, each with the `p=` term it
/// stands for, lowercase, one space between words. The prose scanner
/// (`rules::tradecraft::estimative`) tries longer phrases first, so "very unlikely" is never read
/// as "unlikely". "Remote" is listed only with the noun it qualifies ("a remote chance"): alone it
/// is far more often a place than a probability.
pub const ESTIMATIVE_PHRASES: &[(&str, &str)] = &[
    ("almost no chance", "almost-no-chance"),
    ("remote chance", "almost-no-chance"),
    ("remote possibility", "almost-no-chance"),
    ("remote prospect", "almost-no-chance"),
    ("very unlikely", "very-unlikely"),
    ("highly unlikely", "very-unlikely"),
    ("highly improbable", "very-unlikely"),
    ("unlikely", "unlikely"),
    ("improbable", "unlikely"),
    ("roughly even chance", "roughly-even"),
    ("roughly even odds", "roughly-even"),
    ("even chance", "roughly-even"),
    ("even odds", "roughly-even"),
    ("likely", "likely"),
    ("probable", "likely"),
    ("probably", "likely"),
    ("very likely", "very-likely"),
    ("highly likely", "very-likely"),
    ("highly probable", "very-likely"),
    ("almost certain", "almost-certain"),
    ("almost certainly", "almost-certain"),
    ("nearly certain", "almost-certain"),
    ("nearly certainly", "almost-certain"),
];

/// Words that, right before an estimative term, mean the term is not the analyst's estimate:
/// a negation ("not likely") or a comparison ("more likely than before", "the most likely
/// outcome"), which names no band.
pub const TERM_QUALIFIERS: &[&str] = &[
    "not",
    "never",
    "hardly",
    "scarcely",
    "no",
    "nor",
    "more",
    "less",
    "most",
    "least",
    "as",
    "equally",
    "increasingly",
    "too",
    "so",
    "how",
];

/// Words that negate what follows or precedes them. A word ending in `n't` (or `n’t`) is a
/// negation as well.
pub const NEGATIONS: &[&str] = &[
    "not", "no", "never", "without", "neither", "nor", "cannot", "none", "nothing", "nobody",
    "nowhere",
];

/// Whether `word` (as written, any case) negates: one of [`NEGATIONS`] or a contraction in `n't`.
pub fn is_negation(word: &str) -> bool {
    let lower = word.to_lowercase();
    let lower = lower.replace('’', "'");
    NEGATIONS.contains(&lower.as_str()) || (lower.len() > 3 && lower.ends_with("n't"))
}

/// The band of the ICD 203 term `term` (`likely`), in percent.
pub fn term_band(term: &str) -> Option<(u8, u8)> {
    LIKELIHOOD
        .iter()
        .find(|(t, _, _)| *t == term)
        .map(|&(_, lo, hi)| (lo, hi))
}

/// Admiralty-scale source reliability grades.
pub const RELIABILITY: &[(&str, &str)] = &[
    ("A", "completely reliable"),
    ("B", "usually reliable"),
    ("C", "fairly reliable"),
    ("D", "not usually reliable"),
    ("E", "unreliable"),
    ("F", "reliability cannot be judged"),
];

/// An Admiralty reliability grade, from `A` (completely reliable) to `F` (cannot be judged).
/// Grades order from best to worst: `A < B`, so "at least C" is `grade <= Grade::C`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    /// Completely reliable.
    A,
    /// Usually reliable.
    B,
    /// Fairly reliable.
    C,
    /// Not usually reliable.
    D,
    /// Unreliable.
    E,
    /// Reliability cannot be judged; also what an ungraded source counts as.
    F,
}

impl Grade {
    /// Every grade, best first.
    pub const ALL: [Grade; 6] = [Grade::A, Grade::B, Grade::C, Grade::D, Grade::E, Grade::F];

    /// The grade written `A` to `F` (as in `reliability=C`).
    pub fn parse(value: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.letter() == value)
    }

    /// The grade's letter.
    pub fn letter(self) -> &'static str {
        RELIABILITY[self as usize].0
    }

    /// What the grade means, as in "usually reliable".
    pub fn meaning(self) -> &'static str {
        RELIABILITY[self as usize].1
    }
}

/// A likelihood as written in `p=`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Likelihood {
    /// An ICD 203 term with its range in percent.
    Term(&'static str, u8, u8),
    /// A probability in `[0, 1]` (a percentage is divided by 100).
    Number(f64),
}

impl Likelihood {
    /// Read `p=` values: a term, a number in [0,1] or a percentage in [0,100]%.
    pub fn parse(value: &str) -> Option<Likelihood> {
        if let Some(&(t, lo, hi)) = LIKELIHOOD.iter().find(|(t, _, _)| *t == value) {
            return Some(Likelihood::Term(t, lo, hi));
        }
        let (num, scale) = match value.strip_suffix('%') {
            Some(n) => (n, 100.0),
            None => (value, 1.0),
        };
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        let p = num.parse::<f64>().ok()? / scale;
        (0.0..=1.0).contains(&p).then_some(Likelihood::Number(p))
    }

    /// The probabilities it allows, in percent: a term's band, or a number as a point.
    pub fn range(&self) -> (f64, f64) {
        match *self {
            Likelihood::Term(_, lo, hi) => (f64::from(lo), f64::from(hi)),
            Likelihood::Number(p) => (p * 100.0, p * 100.0),
        }
    }

    /// The least probability it allows, in percent: a term's lower bound, or the number itself.
    pub fn lower_bound(&self) -> f64 {
        self.range().0
    }

    /// Whether it agrees with the ICD 203 term `term` written in prose. A number agrees when it
    /// lies in the term's band, boundaries included, so 80% agrees with both "likely" and "very
    /// likely". A term agrees only with itself: "likely" (55–80%) and "very likely" (80–95%)
    /// share a boundary, not a meaning.
    pub fn agrees_with(&self, term: &str) -> bool {
        match *self {
            Likelihood::Term(t, _, _) => t == term,
            Likelihood::Number(p) => term_band(term).is_some_and(|(lo, hi)| {
                let pct = p * 100.0;
                // A tolerance for binary fractions: 0.55 * 100 is 55.000000000000007.
                pct >= f64::from(lo) - 1e-9 && pct <= f64::from(hi) + 1e-9
            }),
        }
    }

    /// In words, as a hover shows it: `likely (55–80%)`, or `0.7 (likely, 55–80%)`.
    pub fn describe(&self) -> String {
        match *self {
            Likelihood::Term(t, lo, hi) => format!("{} ({lo}–{hi}%)", t.replace('-', " ")),
            Likelihood::Number(p) => {
                let pct = p * 100.0;
                let term = LIKELIHOOD
                    .iter()
                    .find(|(_, lo, hi)| pct >= f64::from(*lo) && pct <= f64::from(*hi))
                    .map(|(t, lo, hi)| {
                        format!(", {} in ICD 203 terms ({lo}–{hi}%)", t.replace('-', " "))
                    })
                    .unwrap_or_default();
                format!("{:.0}%{term}", pct)
            }
        }
    }
}

/// Whether a date is `YYYY`, `YYYY-MM` or `YYYY-MM-DD` with a real month and day.
pub fn is_valid_date(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let num = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    let days_in = |y: u32, m: u32| match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    match parts.as_slice() {
        [y] => num(y, 4),
        [y, m] => num(y, 4) && num(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap_or(0)),
        [y, m, d] => {
            if !(num(y, 4) && num(m, 2) && num(d, 2)) {
                return false;
            }
            let (y, m, d): (u32, u32, u32) = (
                y.parse().unwrap_or(0),
                m.parse().unwrap_or(0),
                d.parse().unwrap_or(0),
            );
            (1..=12).contains(&m) && d >= 1 && d <= days_in(y, m)
        }
        _ => false,
    }
}

/// Whether a value has the digits and dashes of a date, whatever their values.
fn looks_like_date(value: &str) -> bool {
    let shape: String = value
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    matches!(shape.as_str(), "9999-99" | "9999-99-99")
}

/// Why a source attribute's value is invalid, if it is.
pub fn source_attr_problem(key: &str, value: &str) -> Option<String> {
    match key {
        "reliability" if !RELIABILITY.iter().any(|(g, _)| *g == value) => Some(format!(
            "`{value}` is not a reliability grade: use A (completely reliable) to F (cannot be judged) on the Admiralty scale"
        )),
        "date" if !is_valid_date(value) => Some(if looks_like_date(value) {
            format!("`{value}` is not a real date: there is no such month or day")
        } else {
            format!("`{value}` is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likelihoods() {
        assert_eq!(
            Likelihood::parse("likely").unwrap().describe(),
            "likely (55–80%)"
        );
        assert_eq!(Likelihood::parse("0.7"), Some(Likelihood::Number(0.7)));
        assert_eq!(Likelihood::parse("65%"), Some(Likelihood::Number(0.65)));
        assert!(
            Likelihood::parse("65%")
                .unwrap()
                .describe()
                .contains("likely")
        );
        for bad in ["1.5", "120%", "-0.1", "probable", "", "%", "0.7.1"] {
            assert_eq!(Likelihood::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn bands_and_agreement() {
        let p = |s| Likelihood::parse(s).unwrap();
        assert!(p("0.8").agrees_with("likely") && p("0.8").agrees_with("very-likely"));
        assert!(p("55%").agrees_with("roughly-even") && p("0.55").agrees_with("likely"));
        assert!(!p("0.81").agrees_with("likely"));
        assert!(!p("likely").agrees_with("very-likely"));
        assert!(p("unlikely").agrees_with("unlikely"));
        assert!(!p("0").agrees_with("almost-no-chance"));
        assert_eq!(p("likely").lower_bound(), 55.0);
        assert!((p("0.7").lower_bound() - 70.0).abs() < 1e-9);
        for (phrase, term) in ESTIMATIVE_PHRASES {
            assert!(term_band(term).is_some(), "{phrase} -> {term}");
            assert_eq!(*phrase, phrase.to_lowercase());
        }
    }

    #[test]
    fn grades_and_negations() {
        assert_eq!(Grade::parse("B"), Some(Grade::B));
        assert_eq!(Grade::parse("G"), None);
        assert!(Grade::B < Grade::C && Grade::F.letter() == "F");
        assert_eq!(Grade::D.meaning(), "not usually reliable");
        for w in ["not", "No", "won't", "isn’t", "cannot", "Without"] {
            assert!(is_negation(w), "{w}");
        }
        for w in ["note", "nothingness", "n't", "know", "knot"] {
            assert!(!is_negation(w), "{w}");
        }
    }

    #[test]
    fn dates() {
        for ok in ["2025", "2025-05", "2024-02-29", "2025-12-31"] {
            assert!(is_valid_date(ok), "{ok}");
        }
        for bad in [
            "25",
            "2025-13",
            "2025-02-29",
            "2025-5-1",
            "May 2025",
            "2025-04-31",
        ] {
            assert!(!is_valid_date(bad), "{bad}");
        }
    }
}
