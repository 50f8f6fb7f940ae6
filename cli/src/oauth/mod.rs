//! `cloud-elements oauth url|login`: the provider's authorization URL for an OAuth element, and a
//! login that opens it, catches the provider's redirect on a loopback listener and creates the
//! instance with the code. `login.rs` holds the login, `browser.rs` the browser and the `state`.

mod browser;
mod login;

use std::path::PathBuf;

use clap::{Args, Subcommand};
use cloud_elements::{OAuthUrlRequest, Secret};
use serde_json::json;

use crate::args::{Global, parse_entry};
use crate::connect::{connect, read_secret};
use crate::exit::Failure;
use crate::output;

/// Where the application's API secret is read from when no `--api-secret-file` is given.
pub(crate) const ENV_API_SECRET: &str = "CLOUD_ELEMENTS_OAUTH_API_SECRET";

/// The callback URL `oauth login` listens on by default. It must be the one registered with the
/// provider's application.
pub(crate) const DEFAULT_CALLBACK_URL: &str = "http://127.0.0.1:8765/callback";

/// `oauth ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum Oauth {
    /// Print the provider's authorization URL for an OAuth element.
    Url(UrlArgs),
    /// Authorize in a browser, catch the provider's redirect on this machine, and create the
    /// instance with the code: `oauth login clover --api-key ID --api-secret-file FILE merchantId=M`.
    ///
    /// The entries oauth.api.key, oauth.api.secret and oauth.callback.url are set from the options;
    /// everything else is checked before the browser opens. The URL is printed on standard error
    /// and opened with $BROWSER, else xdg-open when there is a display (--no-browser: neither).
    /// The created instance is printed with its token, as `instances create` prints it.
    Login(LoginArgs),
}

/// The OAuth application at the provider, and what the URL asks for.
#[derive(Debug, Args)]
pub(crate) struct App {
    /// The element key (an OAuth element, such as `clover`).
    #[arg(value_name = "ELEMENT")]
    pub(crate) key: String,
    /// The API key (client id) of the OAuth application registered with the provider.
    #[arg(long, value_name = "API_KEY")]
    pub(crate) api_key: String,
    /// Read the application's API secret from this file [default: CLOUD_ELEMENTS_OAUTH_API_SECRET]
    #[arg(long, value_name = "FILE")]
    pub(crate) api_secret_file: Option<PathBuf>,
    /// The scope to ask for.
    #[arg(long)]
    pub(crate) scope: Option<String>,
    /// The provider's site address, for providers with one site per customer.
    #[arg(long, value_name = "URL")]
    pub(crate) site_address: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct UrlArgs {
    #[command(flatten)]
    pub(crate) app: App,
    /// The callback URL registered with the provider's application.
    #[arg(long, value_name = "URL")]
    pub(crate) callback_url: String,
    /// The `state` the provider hands back with the redirect (a fresh random value per login).
    #[arg(long)]
    pub(crate) state: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    #[command(flatten)]
    pub(crate) app: App,
    /// More configuration entries of the instance, as KEY=VALUE.
    #[arg(value_name = "KEY=VALUE", value_parser = parse_entry)]
    pub(crate) entries: Vec<(String, String)>,
    /// The loopback callback URL registered with the provider's application, listened on here.
    #[arg(long, value_name = "URL", default_value = DEFAULT_CALLBACK_URL)]
    pub(crate) callback_url: String,
    /// The instance name [default: the element key]
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// A tag; repeatable.
    #[arg(long = "tag", value_name = "TAG")]
    pub(crate) tags: Vec<String>,
    /// How long to wait for the provider's redirect, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) wait: u64,
    /// Print the authorization URL only; open no browser.
    #[arg(long)]
    pub(crate) no_browser: bool,
}

/// Runs one `oauth` subcommand.
pub(crate) fn run(command: &Oauth, global: &Global) -> Result<(), Failure> {
    match command {
        Oauth::Url(args) => url(args, global),
        Oauth::Login(args) => login::run(args, global),
    }
}

/// The application's API secret: from `--api-secret-file`, else from [`ENV_API_SECRET`].
pub(crate) fn api_secret(app: &App) -> Result<Secret, Failure> {
    match &app.api_secret_file {
        Some(path) => read_secret(path, "OAuth API secret").map_err(Failure::input),
        None => match std::env::var(ENV_API_SECRET) {
            Ok(value) if !value.trim().is_empty() => Ok(Secret::new(value.trim())),
            _ => Err(Failure::input(format!(
                "missing configuration: no OAuth API secret: set {ENV_API_SECRET} or pass --api-secret-file FILE"
            ))),
        },
    }
}

/// The URL request for `app`, with `callback_url` and `state`.
pub(crate) fn url_request(app: &App, secret: Secret, callback_url: &str, state: Option<&str>) -> OAuthUrlRequest {
    let mut request = OAuthUrlRequest::new(app.api_key.clone(), secret, callback_url);
    if let Some(scope) = &app.scope {
        request = request.scope(scope.clone());
    }
    if let Some(state) = state {
        request = request.state(state);
    }
    if let Some(address) = &app.site_address {
        request = request.site_address(address.clone());
    }
    request
}

fn url(args: &UrlArgs, global: &Global) -> Result<(), Failure> {
    let secret = api_secret(&args.app)?;
    let client = connect(global)?.client;
    let request = url_request(&args.app, secret, &args.callback_url, args.state.as_deref());
    let url = client.oauth_url(&args.app.key, &request)?;
    let json = json!({ "element": args.app.key, "oauthUrl": url });
    output::one(output::format(global.output), || format!("{url}\n"), &json)
}
