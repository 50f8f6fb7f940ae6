//! `oauth login`: listen on the callback URL first, get the authorization URL with a fresh
//! `state`, open it, wait for the provider's redirect, and create the instance with the code.

use std::time::Duration;

use cloud_elements::InstanceRequest;
use cloud_elements::oauth::CallbackListener;

use super::{LoginArgs, api_secret, browser, url_request};
use crate::args::Global;
use crate::connect::connect_or_embedded;
use crate::exit::Failure;
use crate::{mask, output};

/// The configuration entries an OAuth instance takes from the login itself.
const API_KEY: &str = "oauth.api.key";
const API_SECRET: &str = "oauth.api.secret";
const CALLBACK_URL: &str = "oauth.callback.url";

/// Runs `oauth login`.
pub(crate) fn run(args: &LoginArgs, global: &Global) -> Result<(), Failure> {
    let format = output::format(global.output);
    let app = &args.app;
    let secret = api_secret(app)?;
    let connection = connect_or_embedded(global)?;
    let client = &connection.client;

    let mut request = InstanceRequest::new(app.key.clone(), args.name.clone().unwrap_or_else(|| app.key.clone()));
    request.set_config(API_KEY, app.api_key.clone());
    request.set_config(API_SECRET, secret.expose());
    request.set_config(CALLBACK_URL, args.callback_url.clone());
    for (key, value) in &args.entries {
        request.set_config(key.clone(), value.clone());
    }
    for tag in &args.tags {
        request.add_tag(tag.clone());
    }
    // Everything but the code is checked before the user is sent to the provider.
    client.validate_request(&request.clone().oauth_code("pending"))?;

    let state = browser::random_state();
    // Listening before the browser opens: a provider that remembers the consent redirects at once.
    let listener = CallbackListener::bind(&args.callback_url)?;
    let url = client.oauth_url(&app.key, &url_request(app, secret, &args.callback_url, Some(&state)))?;
    eprintln!("Open this URL in a browser to authorize:\n{url}");
    if !args.no_browser {
        match browser::open(&url) {
            Ok(Some(program)) => eprintln!("Opened it with `{program}`."),
            Ok(None) => eprintln!("(No browser found: set BROWSER, or open the URL yourself.)"),
            Err(problem) => eprintln!("({problem}; open the URL yourself.)"),
        }
    }
    eprintln!("Waiting up to {} s for the redirect to {} ...", args.wait, args.callback_url);
    let code = listener.wait(Some(&state), Duration::from_secs(args.wait))?;
    eprintln!("Authorization received; creating the instance.");

    let instance = client.create_instance(&request.oauth_code(code))?;
    // Returning the token is what a create is for.
    let json = mask::instance(Some(client), &instance, true);
    output::one(format, || output::instance_block(&json), &json)
}
