//! Registers a provider's whole catalogue at once, within Osigu's rate
//! limits, with a progress bar; codes already registered count as done and
//! codes outside the catalogue are reported, not fatal.

mod support;

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use osigu::{Osigu, Registration};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// How each code ended (the end-to-end tests check it).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: usize,
    pub registered: usize,
    pub already: usize,
    pub not_in_catalogue: usize,
    pub failed: usize,
}

#[tokio::main]
async fn main() -> Result<()> {
    let connection = support::connect().await?;
    let counts = run(&connection.osigu).await?;
    println!(
        "{} codes: {} registered now, {} already registered, {} not in the catalogue, {} failed",
        counts.total, counts.registered, counts.already, counts.not_in_catalogue, counts.failed
    );
    Ok(())
}

pub async fn run(osigu: &Osigu) -> Result<Counts> {
    // Every code of the shared catalogue, plus two it does not know.
    let catalogue = osigu.list_products().send().await?.into_inner();
    let mut codes: Vec<String> = catalogue
        .into_iter()
        .filter_map(|p| p.product_code)
        .collect();
    codes.extend([
        "MED-NOT-IN-CATALOGUE-1".into(),
        "MED-NOT-IN-CATALOGUE-2".into(),
    ]);

    let bar = ProgressBar::new(codes.len() as u64)
        .with_style(ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")?);
    let mut counts = Counts {
        total: codes.len(),
        ..Counts::default()
    };
    // Four at a time; the client's rate limiter paces them to Osigu's limit.
    let mut outcomes = osigu.register_products(codes, 4);
    while let Some((code, outcome)) = outcomes.next().await {
        bar.set_message(format!(
            "{code}: {}",
            if outcome.is_registered() {
                "registered"
            } else {
                "not registered"
            }
        ));
        bar.inc(1);
        match outcome {
            Registration::Registered(_) => counts.registered += 1,
            Registration::AlreadyRegistered => counts.already += 1,
            Registration::NotInCatalogue => counts.not_in_catalogue += 1,
            _ => counts.failed += 1,
        }
    }
    bar.finish_and_clear();
    Ok(counts)
}
