//! Obtaining the GWS credentials: from the configuration, or by calling the host page's
//! `credentials` provider (which may return a promise), so the host decides where secrets live.

use crate::config::Credentials;
use crate::drivers::rest::RestClient;
use wasm_bindgen::JsCast;

/// After the server refused the credentials: asks the host's provider again and sets what it
/// returns on `rest` (static credentials are kept: the core decides whether trying them again
/// is worth it).
pub async fn reauthenticate(credentials: &Credentials, rest: &RestClient) -> Result<(), String> {
    if let Credentials::Provider(_) = credentials {
        let (username, password) = resolve_credentials(credentials).await?;
        rest.set_credentials(&username, &password);
    }
    Ok(())
}

/// The user name and password to sign in with, or why there are none.
pub async fn resolve_credentials(credentials: &Credentials) -> Result<(String, String), String> {
    match credentials {
        Credentials::Password { username, password } => Ok((username.clone(), password.clone())),
        Credentials::Provider(provider) => {
            let mut value = provider
                .call0(&wasm_bindgen::JsValue::NULL)
                .map_err(|e| format!("credentials() threw: {e:?}"))?;
            if let Some(promise) = value.dyn_ref::<js_sys::Promise>() {
                value = wasm_bindgen_futures::JsFuture::from(promise.clone())
                    .await
                    .map_err(|e| format!("credentials() rejected: {e:?}"))?;
            }
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
