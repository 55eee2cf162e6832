//! The vocabulary of attributes: which keys exist and which values they take, shared by the
//! rules, hovers and completions.

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

/// Admiralty-scale source reliability grades.
pub const RELIABILITY: &[(&str, &str)] = &[
    ("A", "completely reliable"),
    ("B", "usually reliable"),
    ("C", "fairly reliable"),
    ("D", "not usually reliable"),
    ("E", "unreliable"),
    ("F", "reliability cannot be judged"),
];

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
