//! HTTP sessions and CSRF tokens, one per user: the data the authentication middleware
//! ([`crate::auth`]) reads and writes through [`AppState::auth`](crate::state::AppState::auth).
//!
//! Why here and not in `auth.rs`: the shared state owns the sessions, and the middleware
//! depends on the shared state; keeping the data on the state's side means the state depends
//! on no middleware (no `state` ↔ `auth` module cycle).

use std::collections::BTreeMap;

/// One user's HTTP session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// `JSESSIONID` value.
    pub id: String,
    /// CSRF token.
    pub csrf: String,
}

/// Sessions by user.
#[derive(Debug, Default)]
pub struct AuthSessions {
    by_user: BTreeMap<String, Session>,
}

impl AuthSessions {
    /// The user's session, created on first use.
    pub fn session(&mut self, user: &str) -> Session {
        self.by_user
            .entry(user.to_string())
            .or_insert_with(|| Session {
                id: uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
                csrf: uuid::Uuid::new_v4().to_string(),
            })
            .clone()
    }

    /// The user's session if it exists.
    pub fn current(&self, user: &str) -> Option<Session> {
        self.by_user.get(user).cloned()
    }

    /// The user whose session has this cookie value. Every session is compared, each in
    /// constant time, so the answer's timing says nothing about how close a guess was.
    pub fn user_of_cookie(&self, cookie: &str) -> Option<String> {
        let mut found = None;
        for (user, session) in &self.by_user {
            if super::access::constant_time_eq(session.id.as_bytes(), cookie.as_bytes()) {
                found = Some(user.clone());
            }
        }
        found
    }

    /// Invalidates the user's session (EndContactCenterSession).
    pub fn end(&mut self, user: &str) {
        self.by_user.remove(user);
    }

    /// Invalidates every session (fault injection: "new CSRF tokens").
    pub fn clear(&mut self) {
        self.by_user.clear();
    }
}
