//! Small-number suppression for figures shown outside the practice (the region's pages,
//! the regional report for the insurer), after OpenSAFELY's rule: a count of patients
//! below a threshold could point at a person, so outside the practice it is shown as
//! "< 5" and not drawn in a chart. The practice's own staff see their exact numbers.
//!
//! The rule, for an audience outside the practice:
//! - a count `n` with `0 < n < threshold` is suppressed (a zero is shown: "nobody" says
//!   nothing about a person);
//! - a share `numerator / denominator` is suppressed when the denominator is below the
//!   threshold, or when the numerator or its complement (`denominator - numerator`) is a
//!   suppressed count (98 % of 100 would give away the 2 without);
//! - figures that are not counts of patients (hours, ratios, meetings) are shown as they are.
//!
//! A region median is about other practices: it is always treated as outside, also on a
//! practice's own dashboard.

/// The default threshold: counts below 5 are shown as "< 5".
pub const DEFAULT_THRESHOLD: u64 = 5;

/// Who looks at a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The practice's own staff, looking at their own practice: exact numbers.
    OwnPractice,
    /// Anyone else (region staff, the insurer's report; a median of other practices).
    Outside,
}

/// A figure as it may be shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shown {
    Value(f64),
    /// Below the threshold (which is kept to say "< 5").
    Suppressed(u64),
    /// No figure (no snapshot for the quarter, a share of nobody, a formation never set).
    Missing,
}

impl Shown {
    /// The value to draw; none for a suppressed or missing figure.
    pub fn plotted(self) -> Option<f64> {
        match self {
            Shown::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_suppressed(self) -> bool {
        matches!(self, Shown::Suppressed(_))
    }

    /// Dutch text: `1.234`, `9,3`, `< 5` or a dash.
    pub fn label(self, decimals: usize) -> String {
        match self {
            Shown::Value(v) if decimals == 0 => group_thousands(v.round() as i64),
            Shown::Value(v) => format!("{v:.decimals$}").replace('.', ","),
            Shown::Suppressed(t) => format!("< {t}"),
            Shown::Missing => "—".to_string(),
        }
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// The suppression rule with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suppression {
    pub threshold: u64,
}

impl Default for Suppression {
    fn default() -> Self {
        Suppression {
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

impl Suppression {
    fn hides(self, n: u64, audience: Audience) -> bool {
        audience == Audience::Outside && n > 0 && n < self.threshold
    }

    /// A count of patients (or of their events).
    pub fn count(self, n: u64, audience: Audience) -> Shown {
        if self.hides(n, audience) {
            Shown::Suppressed(self.threshold)
        } else {
            Shown::Value(n as f64)
        }
    }

    /// A count that may be missing.
    pub fn opt_count(self, n: Option<u64>, audience: Audience) -> Shown {
        n.map_or(Shown::Missing, |n| self.count(n, audience))
    }

    /// `100 * numerator / denominator`, rounded to one decimal; missing when the
    /// denominator is 0.
    pub fn share(self, numerator: u64, denominator: u64, audience: Audience) -> Shown {
        if denominator == 0 {
            return Shown::Missing;
        }
        let complement = denominator.saturating_sub(numerator);
        if audience == Audience::Outside
            && (denominator < self.threshold || self.hides(numerator, audience) || self.hides(complement, audience))
        {
            return Shown::Suppressed(self.threshold);
        }
        Shown::Value((1000.0 * numerator as f64 / denominator as f64).round() / 10.0)
    }

    /// A figure that is not a count of patients: shown as it is.
    pub fn plain(self, v: Option<f64>) -> Shown {
        v.map_or(Shown::Missing, Shown::Value)
    }
}

/// The median of the values present (the mean of the middle two for an even number);
/// `None` for none.
pub fn median(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if !n.is_multiple_of(2) {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Audience::*;

    const S: Suppression = Suppression { threshold: 5 };

    #[test]
    fn counts_below_the_threshold_are_hidden_outside_the_practice_only() {
        for n in 1..5 {
            assert_eq!(S.count(n, Outside), Shown::Suppressed(5), "{n}");
            assert_eq!(S.count(n, Outside).label(0), "< 5");
            assert_eq!(S.count(n, OwnPractice), Shown::Value(n as f64), "{n}");
        }
        assert_eq!(S.count(0, Outside), Shown::Value(0.0));
        assert_eq!(S.count(5, Outside), Shown::Value(5.0));
        assert_eq!(S.count(2480, Outside).label(0), "2.480");
        assert_eq!(S.opt_count(None, Outside), Shown::Missing);
        assert_eq!(S.count(3, Outside).plotted(), None);
        assert_eq!(S.count(7, Outside).plotted(), Some(7.0));
    }

    #[test]
    fn the_threshold_can_be_set() {
        let s = Suppression { threshold: 8 };
        assert_eq!(s.count(7, Outside).label(0), "< 8");
        assert_eq!(s.count(8, Outside), Shown::Value(8.0));
        assert_eq!(Suppression::default().threshold, 5);
    }

    #[test]
    fn shares_hide_small_numerators_complements_and_denominators() {
        assert_eq!(S.share(1, 3, OwnPractice), Shown::Value(33.3));
        assert_eq!(S.share(0, 4, Outside), Shown::Suppressed(5), "denominator below 5");
        assert_eq!(S.share(3, 40, Outside), Shown::Suppressed(5), "numerator below 5");
        assert_eq!(S.share(38, 40, Outside), Shown::Suppressed(5), "complement below 5");
        assert_eq!(S.share(40, 40, Outside), Shown::Value(100.0), "complement 0 is shown");
        assert_eq!(S.share(0, 40, Outside), Shown::Value(0.0));
        assert_eq!(S.share(10, 40, Outside), Shown::Value(25.0));
        assert_eq!(S.share(0, 0, OwnPractice), Shown::Missing);
        assert_eq!(S.share(5, 7, OwnPractice).label(1), "71,4");
    }

    #[test]
    fn plain_figures_are_never_hidden() {
        assert_eq!(S.plain(Some(1.0)), Shown::Value(1.0));
        assert_eq!(S.plain(Some(0.87)).label(2), "0,87");
        assert_eq!(S.plain(None).label(1), "—");
    }

    #[test]
    fn medians() {
        assert_eq!(median([]), None);
        assert_eq!(median([3.0]), Some(3.0));
        assert_eq!(median([9.0, 1.0, 4.0]), Some(4.0));
        assert_eq!(median([1.0, 4.0, 10.0, 2.0]), Some(3.0));
    }
}
