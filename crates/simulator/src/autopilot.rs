//! `--autopilot`: plausible inbound traffic for the demo — a customer calls the queue every
//! few seconds (with screen-pop user data) and hangs up after a while, whether or not an agent
//! answered. When no agent is Ready the call is simply not placed (logged at debug level).

use crate::engine::Command;
use crate::state::AppState;
use serde_json::{Map, Value, json};
use tokio::time::Duration;

/// A small xorshift generator: demo traffic needs variety, not cryptographic randomness.
struct Rng(u64);

impl Rng {
    fn seeded() -> Self {
        let bytes = uuid::Uuid::new_v4();
        let seed = u64::from_le_bytes(bytes.as_bytes()[..8].try_into().unwrap_or([7; 8]));
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMES: [&str; 8] = [
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Edsger Dijkstra",
    "Barbara Liskov",
    "Donald Knuth",
    "Margaret Hamilton",
    "Ken Thompson",
];
const SEGMENTS: [&str; 3] = ["Gold", "Silver", "Bronze"];
const REASONS: [&str; 4] = ["Billing", "Technical support", "New order", "Cancellation"];

/// The user data of one demo customer.
fn customer(rng: &mut Rng) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("CustomerName".into(), json!(rng.pick(&NAMES)));
    data.insert(
        "AccountNumber".into(),
        json!(format!("{:08}", rng.below(100_000_000))),
    );
    data.insert("CustomerSegment".into(), json!(rng.pick(&SEGMENTS)));
    data.insert("ContactReason".into(), json!(rng.pick(&REASONS)));
    data
}

/// Runs until the task is aborted.
pub async fn run(state: AppState) {
    let mean = state.config().autopilot_interval_ms.max(100);
    let mut rng = Rng::seeded();
    tracing::info!(mean_ms = mean, "autopilot on");
    loop {
        tokio::time::sleep(Duration::from_millis(mean / 2 + rng.below(mean))).await;
        let from = format!("555{:04}", rng.below(10_000));
        let command = Command::InjectCall {
            from: from.clone(),
            to: "queue".into(),
            user_data: Some(customer(&mut rng)),
        };
        match state.execute(command) {
            Ok(outcome) => {
                tracing::info!(%from, id = ?outcome.call_id, "autopilot call");
                let patience = Duration::from_millis(15_000 + rng.below(60_000));
                let state = state.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(patience).await;
                    // The customer may have been transferred or hung up on already: ignore.
                    let _ = state.execute(Command::PhoneHangsUp { number: from });
                });
            }
            Err(error) => tracing::debug!(%error, "autopilot call not placed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_customers_have_screen_pop_data() {
        let mut rng = Rng(42);
        let data = customer(&mut rng);
        for key in [
            "CustomerName",
            "AccountNumber",
            "CustomerSegment",
            "ContactReason",
        ] {
            assert!(data[key].is_string(), "{key}");
        }
        assert_eq!(data["AccountNumber"].as_str().map(str::len), Some(8));
    }
}
