//! What the ratio benches share: how a set of per-round ratios is summed up.

/// The median of per-round ratios, with the bounds of the middle half.
#[derive(Clone, Copy)]
pub struct Spread {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

/// The spread of `ratios` (at least one).
pub fn spread(mut ratios: Vec<f64>) -> Spread {
    ratios.sort_by(f64::total_cmp);
    let at = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    Spread {
        median: at(2),
        low: at(1),
        high: at(3),
    }
}
