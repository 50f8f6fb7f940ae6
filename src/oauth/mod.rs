//! OAuth elements: catching the provider's redirect on this machine.
//!
//! An OAuth element's instance is created with the *code* the provider hands out once the user has
//! agreed in a browser. The provider delivers it by redirecting the browser to the application's
//! registered callback URL, `callback?code=...&state=...`. For a command-line tool or a desktop
//! application that callback is a loopback URL such as `http://127.0.0.1:8765/callback`, and
//! [`CallbackListener`] is the listener there: it waits for that one redirect, checks its `state`,
//! answers the browser with a short page ("Authorization received. You can close this window.")
//! and returns the code, as `gh auth login` or `gcloud auth login` do.
//!
//! The steps of a login:
//!
//! 1. Register a loopback callback URL with an explicit port with the provider's application
//!    (the element's `oauth.callback.url` configuration entry is the same URL).
//! 2. Make a fresh, unguessable `state` for this login attempt.
//! 3. Start listening ([`CallbackListener::bind`]), then open the provider's authorization URL
//!    ([`Client::oauth_url`](crate::Client::oauth_url), built with that callback URL and state)
//!    in the user's browser, then [`CallbackListener::wait`]. Listen first: a provider that
//!    remembers an earlier consent redirects at once, and a redirect that arrives before the
//!    listener is up finds the port closed. ([`receive_code`] does both steps, for a caller that
//!    runs it on a thread of its own.)
//! 4. Create the instance with the code ([`InstanceRequest::oauth_code`](crate::InstanceRequest::oauth_code)).
//!
//! The code is a credential: it appears in no error, `Debug` output or page this module writes.
//! [`receive_code`] shows the listener at work, with a thread playing the browser.

mod callback_url;
mod page;
mod receive;
mod request;

pub use receive::{CallbackListener, receive_code};
