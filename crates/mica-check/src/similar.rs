//! "Did you mean": the closest known name to a misspelt one.

/// The edit distance between two short strings, in characters, counting the swap of two
/// neighbours as one edit (optimal string alignment), since `hihg` for `high` is one slip.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back (for swaps), the previous one and the current one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 0..a.len() {
        cur[0] = i + 1;
        for j in 0..b.len() {
            let cost = usize::from(a[i] != b[j]);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                cur[j + 1] = cur[j + 1].min(before[j - 1] + 1);
            }
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a likely misspelling: within a
/// third of the name's length in edits, or one being a prefix of the other (`confidence` →
/// `conf`). Ties go to the shorter, then the alphabetically first candidate, so that the
/// answer does not depend on the order of the candidates (a hash map's, say).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    close_candidates(name, candidates)
        .min_by_key(|(d, c)| (*d, c.len(), *c))
        .map(|(_, c)| c)
}

/// The candidate close to `name` when exactly one is (by the measure of [`did_you_mean`]).
/// Only then is correcting the name a safe fix: no other reading is plausible.
pub fn only_close<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut close = close_candidates(name, candidates);
    match (close.next(), close.next()) {
        (Some((_, c)), None) => Some(c),
        _ => None,
    }
}

/// The candidates close to `name`, each with its edit distance.
fn close_candidates<'a, 'n, I: IntoIterator<Item = &'a str>>(
    name: &'n str,
    candidates: I,
) -> impl Iterator<Item = (usize, &'a str)> + use<'a, 'n, I> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter(move |c| *c != name)
        .filter_map(move |c| {
            let d = edit_distance(&lower, &c.to_lowercase());
            let prefix = c.len() >= 2 && (lower.starts_with(c) || c.starts_with(lower.as_str()));
            let close = d <= (name.chars().count().max(3) / 3).max(1);
            (close || prefix).then_some((d, c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["conf", "p", "cite", "supports", "contradicts", "note"];
        assert_eq!(did_you_mean("confidence", keys), Some("conf"));
        assert_eq!(did_you_mean("cit", keys), Some("cite"));
        assert_eq!(did_you_mean("suports", keys), Some("supports"));
        assert_eq!(did_you_mean("zebra", keys), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("hihg", "high"), 1);
        assert_eq!(
            did_you_mean("hihg", ["low", "moderate", "high"]),
            Some("high")
        );
        assert_eq!(
            only_close("hihg", ["low", "moderate", "high"]),
            Some("high")
        );
        // Two plausible readings: no safe correction.
        assert_eq!(only_close("ab", ["abc", "abd"]), None);
        assert_eq!(only_close("zebra", keys), None);
    }

    /// Equally close candidates: the same answer whatever their order (the claim ids come
    /// from a hash map, whose order changes from one map to the next).
    #[test]
    fn ties_do_not_depend_on_the_order() {
        assert_eq!(did_you_mean("ab", ["ac", "aa"]), Some("aa"));
        assert_eq!(did_you_mean("ab", ["aa", "ac"]), Some("aa"));
        assert_eq!(
            did_you_mean("k", ["kj-persist", "kj-broaden"]),
            did_you_mean("k", ["kj-broaden", "kj-persist"])
        );
    }
}
