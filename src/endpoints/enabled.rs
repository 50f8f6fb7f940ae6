//! Calls made with an instance's token rather than its id: disable, enable, ping.

use serde_json::Value;
use ureq::http::Method;

use crate::call::Call;
use crate::client::Client;
use crate::error::Error;
use crate::url::encode_component;

impl Client {
    /// Disables the instance whose token is `token`: `DELETE {base}/instances/enabled` with
    /// `Authorization: User …, Organization …, Element <token>`. Calls on a disabled instance are
    /// refused with 403 until it is enabled again. The token never appears in an error.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// let request = cloud_elements::InstanceRequest::new("closeio", "Sales")
    ///     .config("username", "KEY")
    ///     .config("password", "PW");
    /// let token = client.create_instance(&request)?.token;
    /// client.disable_instance(token.expose())?;
    /// assert_eq!(client.ping(token.expose(), "crm").unwrap_err().status(), Some(403));
    /// client.enable_instance(token.expose())?;
    /// client.ping(token.expose(), "crm")?;
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn disable_instance(&self, token: &str) -> Result<(), Error> {
        self.set_enabled(token, false)
    }

    /// Enables again the instance whose token is `token`: `PUT {base}/instances/enabled` with the
    /// instance's token in `Authorization` (see [`disable_instance`](Self::disable_instance)).
    pub fn enable_instance(&self, token: &str) -> Result<(), Error> {
        self.set_enabled(token, true)
    }

    fn set_enabled(&self, token: &str, enabled: bool) -> Result<(), Error> {
        check_token(token)?;
        let redactor = self.redactor([token]);
        let call = if enabled {
            Call::new(Method::PUT, "/instances/enabled").empty_body()
        } else {
            Call::new(Method::DELETE, "/instances/enabled")
        };
        self.call(&call.element(token), &redactor).map(drop)
    }

    /// The platform's health check of one instance: `GET {base}/hubs/{hub}/ping` with the
    /// instance's token. Returns the server's answer as JSON. A disabled instance answers 403, a
    /// deleted one (an unknown token) 401, and a hub that is not the element's 404.
    ///
    /// ```
    /// # let sandbox = cloud_elements_sandbox::Sandbox::start().unwrap();
    /// # let client = cloud_elements::Client::builder().base_url(sandbox.url())
    /// #     .user_secret(sandbox.user_secret()).organization_secret(sandbox.organization_secret()).build()?;
    /// let request = cloud_elements::InstanceRequest::new("closeio", "Sales")
    ///     .config("username", "KEY")
    ///     .config("password", "PW");
    /// let instance = client.create_instance(&request)?;
    /// let answer = client.ping(instance.token.expose(), "crm")?;
    /// assert!(answer.is_object());
    /// # Ok::<(), cloud_elements::Error>(())
    /// ```
    pub fn ping(&self, token: &str, hub: &str) -> Result<Value, Error> {
        check_token(token)?;
        if hub.trim().is_empty() {
            return Err(Error::invalid("the hub is empty"));
        }
        let redactor = self.redactor([token]);
        let call = Call::new(Method::GET, format!("/hubs/{}/ping", encode_component(hub))).element(token);
        let reply = self.call(&call, &redactor)?;
        if reply.text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&reply.text)
            .map_err(|_| Error::decode(reply.status, "the ping answer is not JSON", &reply.text, &redactor))
    }
}

/// Refuses a token that cannot be an instance token: empty, or with a character that would break
/// the `Authorization` header (a control character, a comma). The message never quotes it.
fn check_token(token: &str) -> Result<(), Error> {
    if token.trim().is_empty() {
        Err(Error::invalid("the instance token is empty"))
    } else if token.chars().any(|c| c.is_control() || c == ',') || token != token.trim() {
        Err(Error::invalid("the instance token contains a control character, a comma or surrounding white space"))
    } else {
        Ok(())
    }
}
