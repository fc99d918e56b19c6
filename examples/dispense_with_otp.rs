//! A sponsor that protects approvals and dispensations with a one-time code
//! sent to the beneficiary: send, validate, and complete with the proof.
//!
//! Against a real environment, set `OSIGU_OTP_CODE` to the code received.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let connection = support::connect().await.map_err(|e| e.to_string())?;
    let code = connection.otp_code();
    let done =
        support::flows::dispense_with_otp(&connection.osigu, &code, &mut |line| println!("{line}"))
            .await?;
    println!(
        "\nDone: dispensation {} after {:?} verification.",
        done.dispensation_status, done.verification
    );
    Ok(())
}
