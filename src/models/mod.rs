//! What is sent and what comes back, one file per thing described.

pub mod instance;
pub mod request;
