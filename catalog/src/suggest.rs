//! "Did you mean": the known keys closest to a key nobody has.

/// Up to three of `known` closest to `key` (edit distance at most a third of the key's length, at
/// least 2), closest first.
///
/// ```
/// let known = ["closeio", "clover", "pardot"];
/// assert_eq!(cloud_elements_catalog::closest_keys("closio", known), ["closeio"]);
/// assert!(cloud_elements_catalog::closest_keys("salesforce", known).is_empty());
/// ```
pub fn closest_keys<'a>(key: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = (key.chars().count() / 3).max(2);
    let wanted = key.to_ascii_lowercase();
    let mut scored: Vec<(usize, &str)> = known
        .into_iter()
        .map(|k| (distance(&wanted, &k.to_ascii_lowercase()), k))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb)).min(above + 1).min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn distances() {
        assert_eq!(super::distance("kitten", "sitting"), 3);
        assert_eq!(super::distance("", "abc"), 3);
        assert_eq!(super::closest_keys("pardott", ["pardot", "closeio"]), ["pardot"]);
    }
}
