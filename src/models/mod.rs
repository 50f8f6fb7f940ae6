//! What is sent and what comes back, one file per thing described.

pub mod configuration;
pub mod filter;
pub mod instance;
pub mod oauth;
pub mod outcome;
pub mod request;
pub mod update;
mod update_json;
