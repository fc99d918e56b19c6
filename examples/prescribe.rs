//! Electronic prescriptions on each versioned route: v1, v1.1 (patient
//! consent) and v2 (Spain's national repository), chosen by the SDK from
//! the request and the market.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let connection = support::connect().await.map_err(|e| e.to_string())?;
    let routes =
        support::flows::prescribe(&connection.osigu, &mut |line| println!("{line}")).await?;
    println!("\nDone: {} prescriptions issued.", routes.len());
    Ok(())
}
