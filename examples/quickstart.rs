//! The whole integration in one go: authenticate, find the beneficiary,
//! get a pre-authorization approved, dispense it and close the sale.
//!
//! `cargo run --example quickstart` runs against an embedded sandbox; set
//! `OSIGU_CLIENT_ID`, `OSIGU_CLIENT_SECRET` and `OSIGU_ENVIRONMENT` to run
//! against Osigu (the flow uses the sandbox's seeded sponsor and codes).

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let connection = support::connect().await.map_err(|e| e.to_string())?;
    let done =
        support::flows::quickstart(&connection.osigu, &mut |line| println!("{line}")).await?;
    println!(
        "\nDone: authorization {} was dispensed ({}), GTQ {:.2}.",
        done.authorization_code, done.dispensation_status, done.amount
    );
    Ok(())
}
