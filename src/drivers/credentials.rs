//! Obtaining the GWS credentials: from the configuration, or by calling the host page's
//! `credentials` provider (which may return a promise), so the host decides where secrets live.

use crate::config::Credentials;
use crate::drivers::rest::RestClient;
use gws_client::ReauthFailure;

/// After the server refused the credentials: asks the host's provider again and sets what it
/// returns on `rest` (static credentials are kept: the core decides whether trying them again
/// is worth it). Credentials of another user are refused (`RestClient::set_credentials`).
pub async fn reauthenticate(
    credentials: &Credentials,
    rest: &RestClient,
) -> Result<(), ReauthFailure> {
    if let Credentials::Provider(_) = credentials {
        let (username, password) = resolve_credentials(credentials).await?;
        rest.set_credentials(&username, &password)?;
    }
    Ok(())
}

/// The user name and password to sign in with, or why there are none.
pub async fn resolve_credentials(credentials: &Credentials) -> Result<(String, String), String> {
    match credentials {
        Credentials::Password { username, password } => Ok((username.clone(), password.clone())),
        Credentials::Provider(provider) => {
            let returned = provider
                .call0(&wasm_bindgen::JsValue::NULL)
                .map_err(|e| format!("credentials() threw: {e:?}"))?;
            // Through `Promise.resolve`, as `await` would: a plain value, a promise of another
            // frame, or a thenable such as jQuery's `$.getJSON(…)` (an `instanceof Promise`
            // check saw only this frame's promises, and read the thenable itself as the value).
            let value = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&returned))
                .await
                .map_err(|e| format!("credentials() rejected: {e:?}"))?;
            let field = |name: &str| {
                js_sys::Reflect::get(&value, &name.into())
                    .ok()
                    .and_then(|v| v.as_string())
            };
            match (field("username"), field("password")) {
                (Some(username), Some(password)) if !username.is_empty() => {
                    Ok((username, password))
                }
                _ => Err("credentials() must return {username, password}".into()),
            }
        }
    }
}
