//! Developer commands for the osigu workspace, run as `cargo xtask <command>`.
//! A library as well as a binary so that the commands can be tested.

pub mod corpus;
pub mod examples;
pub mod fetch;
pub mod observations;
pub mod paths;
pub mod reference;
pub mod update_spec;
