//! Registers a provider's whole catalogue at once, within Osigu's rate
//! limits, with a progress bar; codes already registered count as done and
//! codes outside the catalogue are reported, not fatal.

mod support;

use indicatif::{ProgressBar, ProgressStyle};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let connection = support::connect().await.map_err(|e| e.to_string())?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").map_err(|e| e.to_string())?,
    );
    let mut progress = |total: usize, code: &str, outcome: &osigu::Registration| {
        bar.set_length(total as u64);
        bar.set_message(format!(
            "{code}: {}",
            if outcome.is_registered() {
                "registered"
            } else {
                "not registered"
            }
        ));
        bar.inc(1);
    };
    let (total, result) = support::flows::bulk_register(&connection.osigu, &mut progress).await?;
    bar.finish_and_clear();
    println!(
        "{total} codes: {} registered now, {} already registered, {} not in the catalogue, {} failed",
        result.registered, result.already, result.not_in_catalogue, result.failed
    );
    Ok(())
}
