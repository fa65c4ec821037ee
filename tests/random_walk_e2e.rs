//! A bounded, seeded random walk ("monkey test") through two real widgets against the real
//! simulator, in headless Chromium.
//!
//! agent1 (DN 5005) and agent2 (DN 5001) are mounted side by side, so internal calls, consults,
//! transfers and conferences have a real other party. Each step is one of: a customer calls an
//! agent (`POST /sim/calls`), a customer hangs up (`POST /sim/calls/{id}/hangup`), an agent dials
//! from the dial pad, or — most often — an agent clicks one *enabled* `data-action` button of one
//! of their cards and fills the form it opens with valid input (a destination that exists, DTMF
//! digits, a key/value pair, one of the offered choices), or sometimes cancels it.
//!
//! Why: the scripted scenarios (`scenarios_e2e.rs`) follow the seeds' paths; the bugs left are
//! on the paths nobody scripted — an operation the server advertises in a situation no seed
//! shows, a card that misses a notification after three calls came and went. After every step,
//! once it has settled (no simulated phone about to answer, no button pending, two identical
//! reads in a row), the walk checks for both agents:
//! - the widget shows exactly the simulator's live calls (`GET /sim/state`): the same ids, each
//!   card's `data-state` the call's state, and its `data-action` buttons exactly the call's
//!   `capabilities` (`actions_for` turns every capability into one button, unknown ones too);
//!   any other card is a lingering `Released` one;
//! - no card or agent bar shows an error: every click was on an advertised operation with valid
//!   input, so a refusal is a finding (the simulator refusing what it advertised, or the widget
//!   sending something else than the agent chose);
//! - both widgets are connected and none shows the fatal notice.
//!
//! A walk is deterministic given its seed: every choice comes from the seeded generator, over
//! lists read from a settled screen and simulator (in their own order), and the step log names
//! calls `#1`, `#2`… rather than by the simulator's ids, which change from run to run. A walk that
//! passes prints its step log's fingerprint: two runs of a seed print the same one.
//!
//! A failure reports the seed, the steps so far, what each widget and the simulator show, and the
//! last operations the widgets sent. Replay: `MONKEY_SEEDS=<seed>[,<seed>…] MONKEY_STEPS=<n>
//! cargo test-web --test random_walk_e2e -- --nocapture` (both read at build time; decimal or
//! `0x…`). All walks run in one test, under `WASM_BINDGEN_TEST_TIMEOUT` (180 s): explore in
//! batches of about a dozen 60-step walks. Each walk ends with a tally of what it did, so a
//! reader can see that it reaches holds, consults, transfers, conferences and swaps.
//!
//! Seeds 5, 0x22, 0x30, 0x31, 0x35, 0x37 and 0x39 at 60 steps once found an agent with two
//! active calls (a held parent retrieved while its consult still rang out); since Retrieve and
//! SwapCalls hold every other active call of the device, they pass.

#![cfg(target_arch = "wasm32")]

mod support;

use gws_widget::{AgentWidget, WidgetConfig};
use leptos::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use support::sim_control;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The walks CI runs: about 30 s in all (6 s a walk), enough to reach consults, transfers,
/// conferences, swaps and removing a party. Picked among the first six seeds for that:
/// 0x5EED_0004 reaches nothing the others do not.
const SEEDS: [u64; 5] = [
    0x5EED_0001,
    0x5EED_0002,
    0x5EED_0003,
    0x5EED_0005,
    0x5EED_0006,
];
const STEPS: usize = 40;

/// The agents, by user name and DN (the simulator's built-in users; password = user name).
const AGENTS: [(&str, &str); 2] = [("agent1", "5005"), ("agent2", "5001")];
/// Simulated phones that answer (after `--answer-delay-ms`): destinations and callers. The
/// reserved numbers 9000–9002 (busy, no answer, invalid) are left out on purpose: their
/// refusals are expected, and `scenarios_e2e.rs` covers them.
const PHONES: [&str; 4] = ["5000", "5002", "5003", "5004"];
/// At most this many live calls per agent: the walk adds calls only below it.
const MAX_LIVE: usize = 3;
/// How long a step may take to settle before its difference is a finding.
const SETTLE_MS: f64 = 8_000.0;

/// xorshift64*: small, seedable, and the same sequence in every browser.
struct Rng(u64);

impl Rng {
    /// The seed goes through splitmix64 first: xorshift's first outputs from a small seed are
    /// nearly all zero bits, and would make every walk start alike.
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)).max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times out of a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// An index picked with the given weights (at least one positive).
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut roll = (self.next() % u64::from(total)) as u32;
        for (index, weight) in weights.iter().enumerate() {
            if roll < *weight {
                return index;
            }
            roll -= weight;
        }
        weights.len() - 1
    }
}

/// One mounted widget.
struct Agent {
    user: &'static str,
    root: Element,
}

/// What a walk has done so far, for the failure report and the tally.
struct Walk {
    seed: u64,
    rng: Rng,
    agents: Vec<Agent>,
    steps: Vec<String>,
    tally: BTreeMap<String, u32>,
    /// Call ids in order of first mention: the step log names calls `#1`, `#2`… because the
    /// simulator's ids differ from run to run, and a replayed walk's log must read the same.
    ids: Vec<String>,
}

impl Walk {
    /// The walk's name of call `id` (`#n`, in order of first mention).
    fn label(&mut self, id: &str) -> String {
        let index = match self.ids.iter().position(|known| known == id) {
            Some(index) => index,
            None => {
                self.ids.push(id.to_string());
                self.ids.len() - 1
            }
        };
        format!("#{}", index + 1)
    }

    /// A digest of the step log (FNV-1a): printed with every walk that passes, so two runs of a
    /// seed can be compared at a glance — the same seed must walk the same steps.
    fn fingerprint(&self) -> u64 {
        self.steps
            .iter()
            .flat_map(|step| step.bytes().chain([b'\n']))
            .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
            })
    }

    fn count(&mut self, what: &str) {
        *self.tally.entry(what.to_string()).or_default() += 1;
    }

    /// The finding, with everything needed to replay it.
    fn report(&self, problem: &str, state: Option<&Value>) -> String {
        let mut report = format!(
            "seed {:#x}: {problem}\nsteps:\n  {}\ncalls: {}",
            self.seed,
            self.steps.join("\n  "),
            self.ids
                .iter()
                .enumerate()
                .map(|(index, id)| format!("#{} = {id}", index + 1))
                .collect::<Vec<_>>()
                .join(", ")
        );
        // What the widgets show, call group by call group (a consult sits with its parent),
        // and the last operations they sent: a refusal is explained by the request itself.
        for agent in &self.agents {
            let groups: Vec<Vec<String>> = find_all(&agent.root, ".gws-call-group")
                .iter()
                .map(|group| {
                    cards(group)
                        .iter()
                        .map(|c| {
                            format!(
                                "{} {}",
                                c.get_attribute("data-call-id").unwrap_or_default(),
                                c.get_attribute("data-state").unwrap_or_default()
                            )
                        })
                        .collect()
                })
                .collect();
            report.push_str(&format!("\nwidget, {}: {groups:?}", agent.user));
        }
        report.push_str(&format!("\nlast requests: {}", sent_requests()));
        if let Some(state) = state {
            for (user, _) in AGENTS {
                let calls: Vec<String> = sim_control::live_calls(state, user)
                    .iter()
                    .map(|c| format!("{} {} {}", c["id"], c["state"], c["capabilities"]))
                    .collect();
                report.push_str(&format!("\nsimulator, {user}: {calls:?}"));
            }
        }
        report
    }
}

/// Wraps `window.fetch` (once per page) to keep the last few request bodies the widgets send,
/// Bayeux polls left out, for the failure report. Why: the DOM shows that the server refused an
/// operation, not what the widget asked — and a refused Complete* without its `consultCallUri`
/// was a widget bug that only the request showed.
fn record_requests() {
    js_sys::eval(
        "if (!window.__walkRequests) {
            window.__walkRequests = [];
            const fetch = window.fetch;
            const keep = (url, body) => {
                if (!body || url.includes('/notifications')) return;
                window.__walkRequests.push(url.replace(/^.*\\/api\\/v2\\//, '') + ' ' + body);
                window.__walkRequests.splice(0, window.__walkRequests.length - 6);
            };
            window.fetch = function (input, init) {
                if (input instanceof Request) {
                    const url = input.url;
                    input.clone().text().then((body) => keep(url, body));
                } else if (init && typeof init.body === 'string') {
                    keep(String(input), init.body);
                }
                return fetch.apply(this, arguments);
            };
        }",
    )
    .expect("fetch wrapped");
}

/// The requests [`record_requests`] kept, oldest first.
fn sent_requests() -> String {
    js_sys::eval("JSON.stringify(window.__walkRequests || [])")
        .ok()
        .and_then(|value| value.as_string())
        .unwrap_or_default()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// How the widget of `agent` differs from the simulator's `state` (empty: they agree).
fn differences(agent: &Agent, state: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let live = sim_control::live_calls(state, agent.user);
    let live_ids: BTreeSet<String> = live.iter().map(|c| text(&c["id"])).collect();
    for call in &live {
        let id = text(&call["id"]);
        let Some(card) = card(&agent.root, &id) else {
            problems.push(format!(
                "{}: no card for live call {id} ({})",
                agent.user, call["state"]
            ));
            continue;
        };
        let shown = card.get_attribute("data-state").unwrap_or_default();
        if shown != text(&call["state"]) {
            problems.push(format!(
                "{}: call {id} shows {shown}, the simulator says {}",
                agent.user, call["state"]
            ));
        }
        let offered: BTreeSet<String> = call["capabilities"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .filter(|c| !c.is_empty())
            .collect();
        let buttons: BTreeSet<String> = actions_of(&card).into_iter().collect();
        if buttons != offered {
            problems.push(format!(
                "{}: call {id} ({shown}) has buttons {buttons:?}, the simulator offers {offered:?}",
                agent.user
            ));
        }
        if let Some(busy) = find(&card, "[data-action][aria-busy=\"true\"]") {
            problems.push(format!(
                "{}: {} still pending on call {id}",
                agent.user,
                busy.get_attribute("data-action").unwrap_or_default()
            ));
        }
    }
    for card in cards(&agent.root) {
        let id = card.get_attribute("data-call-id").unwrap_or_default();
        let shown = card.get_attribute("data-state").unwrap_or_default();
        if !live_ids.contains(&id) && shown != "Released" {
            problems.push(format!(
                "{}: card {id} shows {shown}, the simulator has no such live call",
                agent.user
            ));
        }
    }
    // A Dial on its way (its call not seen yet) is not settled either: without this the walk
    // could read the simulator before the request reached it, and its next step would depend on
    // timing.
    for busy in find_all(&agent.root, "[aria-busy=\"true\"]") {
        if busy.closest("[data-call-id]").ok().flatten().is_none() {
            problems.push(format!(
                "{}: {} still pending",
                agent.user,
                busy.get_attribute("data-action")
                    .unwrap_or_else(|| busy.outer_html())
            ));
        }
    }
    problems
}

/// What must never be on screen after a valid step: errors, a lost connection, the fatal
/// notice.
fn faults(agent: &Agent) -> Vec<String> {
    let mut problems = Vec::new();
    for card in cards(&agent.root) {
        if let Some(error) = find(&card, "[data-testid=\"call-error\"]") {
            problems.push(format!(
                "{}: call {} shows the error {:?}",
                agent.user,
                card.get_attribute("data-call-id").unwrap_or_default(),
                error.text_content().unwrap_or_default()
            ));
        }
    }
    for testid in ["agent-error", "dial-error", "form-error"] {
        if let Some(error) = find(&agent.root, &format!("[data-testid=\"{testid}\"]")) {
            problems.push(format!(
                "{}: {testid} {:?}",
                agent.user,
                error.text_content().unwrap_or_default()
            ));
        }
    }
    let connection = find(&agent.root, "[data-testid=\"connection\"]")
        .and_then(|b| b.get_attribute("data-state"))
        .unwrap_or_default();
    if connection != "connected" {
        problems.push(format!("{}: connection {connection}", agent.user));
    }
    let document = web_sys::window().and_then(|w| w.document());
    if document
        .and_then(|d| d.query_selector("[data-testid=\"fatal\"]").ok().flatten())
        .is_some()
        || gws_widget::fatal::stopped()
    {
        problems.push("the fatal notice is shown".into());
    }
    problems
}

/// Waits until the step has settled — no simulator timer pending and both widgets showing the
/// simulator's calls, twice in a row — then checks that nothing went wrong. Returns the settled
/// state.
async fn settle(walk: &Walk) -> Result<Value, String> {
    let start = js_sys::Date::now();
    let mut agreeing = 0;
    loop {
        let state = sim_control::state(SIM).await;
        let problems: Vec<String> = if sim_control::timers_pending(&state) {
            vec!["simulator timers still pending".into()]
        } else {
            walk.agents
                .iter()
                .flat_map(|a| differences(a, &state))
                .collect()
        };
        // An error or a lost connection does not go away by waiting: report it at once.
        let faults: Vec<String> = walk.agents.iter().flat_map(faults).collect();
        if !faults.is_empty() {
            return Err(walk.report(&faults.join("; "), Some(&state)));
        }
        if problems.is_empty() {
            agreeing += 1;
            if agreeing == 2 {
                return Ok(state);
            }
        } else {
            agreeing = 0;
            if js_sys::Date::now() - start > SETTLE_MS {
                return Err(walk.report(&problems.join("; "), Some(&state)));
            }
        }
        sleep(40).await;
    }
}

/// A destination of `operation` for `agent`: the other agent or a simulated phone, never the
/// agent itself.
///
/// The single-step operations go to simulated phones only: the other agent may already be on
/// the call (ringing into it, which the card does not list), and the server refuses that
/// (`ErrorMessage` 57; the simulator's own walk and unit tests cover it) — not an error the
/// agent's valid click should meet.
fn destination(walk: &mut Walk, agent: usize, operation: &str) -> &'static str {
    let other = AGENTS[1 - agent].1;
    if !operation.starts_with("SingleStep") && walk.rng.chance(40) {
        other
    } else {
        PHONES[walk.rng.below(PHONES.len())]
    }
}

/// The form an action opened on `card`, if any (forms open on the click's own turn).
async fn opened_form(card: &Element) -> Option<&'static str> {
    tick().await;
    tick().await;
    [
        "destination-form",
        "dtmf-keypad",
        "choice-form",
        "user-data-form",
    ]
    .into_iter()
    .find(|form| find(card, &format!("[data-testid=\"{form}\"]")).is_some())
}

fn click(element: &Element) {
    element.clone().unchecked_into::<HtmlElement>().click();
}

/// Clicks `selector` under `form` (the form's submit or cancel button).
fn press(card: &Element, form: &str, button: &str) -> Result<(), String> {
    let selector = format!("[data-testid=\"{form}\"] [data-testid=\"{button}\"]");
    let element = find(card, &selector).ok_or_else(|| format!("no {selector}"))?;
    click(&element);
    Ok(())
}

/// Fills the form `form` just opened on `card` of `agent`, or cancels it now and then. Returns
/// what was entered.
fn fill(
    walk: &mut Walk,
    agent: usize,
    operation: &str,
    card: &Element,
    form: &str,
) -> Result<String, String> {
    if walk.rng.chance(10) {
        walk.count("(cancelled a form)");
        press(card, form, "form-cancel")?;
        return Ok("cancelled".into());
    }
    let entered = match form {
        "destination-form" => {
            let number = destination(walk, agent, operation);
            type_text(card, "[data-testid=\"destination-input\"]", number);
            number.to_string()
        }
        "dtmf-keypad" => {
            let keys = find_all(card, "[data-testid=\"dtmf-keypad\"] [data-digit]");
            let mut digits = String::new();
            for _ in 0..=walk.rng.below(3) {
                let key = &keys[walk.rng.below(keys.len())];
                digits.push_str(&key.get_attribute("data-digit").unwrap_or_default());
                click(key);
            }
            digits
        }
        "user-data-form" => {
            let key = ["Reason", "Account", "Topic"][walk.rng.below(3)];
            let value = format!("v{}", walk.rng.below(100));
            type_text(card, "[data-testid=\"user-data-key\"]", key);
            type_text(card, "[data-testid=\"user-data-value\"]", &value);
            format!("{key}={value}")
        }
        "choice-form" => {
            let choices = find_all(
                card,
                "[data-testid=\"choice-form\"] [data-testid=\"choice\"]",
            );
            if choices.is_empty() {
                // Nothing to choose (no attached data to delete): the form says so and can only
                // be cancelled.
                press(card, form, "form-cancel")?;
                return Ok("nothing to choose, cancelled".into());
            }
            let choice = &choices[walk.rng.below(choices.len())];
            click(choice);
            let value = choice.get_attribute("value").unwrap_or_default();
            // Another call (its URI) by the walk's name for it; a key or a number as it is.
            match value.rsplit_once("/calls/") {
                Some((_, id)) => walk.label(id),
                None => value,
            }
        }
        other => return Err(format!("unknown form {other}")),
    };
    press(card, form, "form-submit")?;
    Ok(entered)
}

/// One enabled operation button of a live card: agent, call id, operation, the button.
type Control = (usize, String, String, Element);

fn enabled_controls(walk: &Walk) -> Vec<Control> {
    let mut controls = Vec::new();
    for (index, agent) in walk.agents.iter().enumerate() {
        for card in cards(&agent.root) {
            if card.get_attribute("data-state").as_deref() == Some("Released") {
                continue;
            }
            let id = card.get_attribute("data-call-id").unwrap_or_default();
            for button in find_all(&card, "[data-action]") {
                if is_enabled(&button) {
                    let operation = button.get_attribute("data-action").unwrap_or_default();
                    controls.push((index, id.clone(), operation, button));
                }
            }
        }
    }
    controls
}

/// The user-data operations are on every call: weighted down so the walk spends its steps on
/// call control.
fn weight(operation: &str) -> u32 {
    if operation.contains("UserData") { 1 } else { 4 }
}

async fn click_a_control(walk: &mut Walk, controls: Vec<Control>) -> Result<String, String> {
    let weights: Vec<u32> = controls.iter().map(|(_, _, op, _)| weight(op)).collect();
    let (agent, id, operation, button) = controls[walk.rng.weighted(&weights)].clone();
    walk.count(&operation);
    click(&button);
    let card = card(&walk.agents[agent].root, &id).ok_or("the card went")?;
    let described = match opened_form(&card).await {
        Some(form) => {
            let entered = fill(walk, agent, &operation, &card, form)?;
            format!("{operation} ({entered})")
        }
        None => operation,
    };
    let call = walk.label(&id);
    Ok(format!("{} {described} on {call}", walk.agents[agent].user))
}

/// One random step; returns what it did.
async fn step(walk: &mut Walk, state: &Value) -> Result<String, String> {
    let live: Vec<usize> = AGENTS
        .iter()
        .map(|(user, _)| sim_control::live_calls(state, user).len())
        .collect();
    let room: Vec<usize> = (0..AGENTS.len()).filter(|&a| live[a] < MAX_LIVE).collect();
    // Calls with a simulated phone on them (the customer can hang up).
    let with_phone: Vec<String> = AGENTS
        .iter()
        .flat_map(|(user, _)| sim_control::live_calls(state, user))
        .filter(|call| {
            call["participants"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| {
                    let number = text(&p["phoneNumber"]);
                    !number.is_empty() && AGENTS.iter().all(|(_, dn)| *dn != number)
                })
        })
        .map(|call| text(&call["id"]))
        .collect();
    let dialers: Vec<usize> = room
        .iter()
        .copied()
        .filter(|&a| {
            find(
                &walk.agents[a].root,
                "[data-testid=\"dial-pad\"] [data-action=\"Dial\"]",
            )
            .is_some_and(|b| is_enabled(&b))
        })
        .collect();
    let controls = enabled_controls(walk);
    let weights = [
        if room.is_empty() { 0 } else { 12 },
        if with_phone.is_empty() { 0 } else { 6 },
        if dialers.is_empty() { 0 } else { 8 },
        if controls.is_empty() { 0 } else { 74 },
    ];
    if weights.iter().all(|w| *w == 0) {
        return Ok("nothing to do".into());
    }
    match walk.rng.weighted(&weights) {
        0 => {
            let agent = room[walk.rng.below(room.len())];
            let from = PHONES[walk.rng.below(PHONES.len())];
            walk.count("(inbound call)");
            let id = sim_control::inject_call(SIM, from, AGENTS[agent].1, None)
                .await
                .map_err(|e| walk.report(&format!("inject refused: {e}"), Some(state)))?;
            Ok(format!(
                "{from} calls {} ({})",
                AGENTS[agent].0,
                walk.label(&id)
            ))
        }
        1 => {
            let id = with_phone[walk.rng.below(with_phone.len())].clone();
            walk.count("(customer hangs up)");
            sim_control::remote_hangup(SIM, &id)
                .await
                .map_err(|e| walk.report(&format!("remote hang-up refused: {e}"), Some(state)))?;
            Ok(format!("the phones on {} hang up", walk.label(&id)))
        }
        2 => {
            let agent = dialers[walk.rng.below(dialers.len())];
            let number = destination(walk, agent, "Dial");
            walk.count("(dial)");
            let root = walk.agents[agent].root.clone();
            type_text(&root, "[data-testid=\"dial-input\"]", number);
            click(
                &find(&root, "[data-testid=\"dial-pad\"] [data-action=\"Dial\"]")
                    .ok_or("no Dial button")?,
            );
            Ok(format!("{} dials {number}", AGENTS[agent].0))
        }
        _ => click_a_control(walk, controls).await,
    }
}

/// What a walk that passed did: its tally and its step log's fingerprint.
type Passed = (BTreeMap<String, u32>, u64);

/// One walk of `steps` steps from a fresh simulator; the finding, if any. The widgets leave the
/// page either way, so that a failed walk does not act on the next one's calls.
async fn walk(seed: u64, steps: usize) -> Result<Passed, String> {
    console_log!("random walk: seed {seed:#x}, {steps} steps");
    fresh_simulator().await;
    record_requests();
    let root = fresh_root();
    let configs: Vec<WidgetConfig> = AGENTS
        .iter()
        .map(|(user, _)| WidgetConfig::new(SIM, user, user).with_shortcuts(false))
        .collect();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        configs
            .iter()
            .enumerate()
            .map(|(i, config)| {
                view! { <div class=format!("agent{i}")><AgentWidget config=config.clone()/></div> }
            })
            .collect_view()
    });
    let mut agents = Vec::new();
    for (i, (user, _)) in AGENTS.iter().enumerate() {
        let root = wait_for("the widget", 5_000, || find(&root, &format!(".agent{i}"))).await;
        wait_connected(&root).await;
        agents.push(Agent { user, root });
    }
    let mut walk = Walk {
        seed,
        rng: Rng::new(seed),
        agents,
        steps: Vec::new(),
        tally: BTreeMap::new(),
        ids: Vec::new(),
    };
    let outcome = run(&mut walk, steps).await;
    drop(handle);
    root.remove();
    outcome.map(|()| (walk.tally.clone(), walk.fingerprint()))
}

async fn run(walk: &mut Walk, steps: usize) -> Result<(), String> {
    let mut state = settle(walk).await?;
    for index in 0..steps {
        let did = step(walk, &state).await?;
        walk.steps.push(format!("{index}: {did}"));
        state = settle(walk).await?;
    }
    Ok(())
}

/// The seeds and step count to walk: CI's, or those given at build time.
fn plan() -> (Vec<u64>, usize) {
    let seeds = option_env!("MONKEY_SEEDS")
        .map(|list| {
            list.split(',')
                .filter_map(|s| {
                    let s = s.trim();
                    match s.strip_prefix("0x") {
                        Some(hex) => u64::from_str_radix(hex, 16).ok(),
                        None => s.parse().ok(),
                    }
                })
                .collect()
        })
        .unwrap_or_else(|| SEEDS.to_vec());
    let steps = option_env!("MONKEY_STEPS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(STEPS);
    (seeds, steps)
}

#[wasm_bindgen_test]
async fn random_walks_keep_the_widgets_in_step_with_the_simulator() {
    let (seeds, steps) = plan();
    let mut findings = Vec::new();
    let mut total: BTreeMap<String, u32> = BTreeMap::new();
    for seed in seeds {
        let started = js_sys::Date::now();
        match walk(seed, steps).await {
            Ok((tally, fingerprint)) => {
                console_log!(
                    "seed {seed:#x}: {steps} steps in {:.1} s, steps {fingerprint:016x}: {tally:?}",
                    (js_sys::Date::now() - started) / 1000.0
                );
                for (what, n) in tally {
                    *total.entry(what).or_default() += n;
                }
            }
            Err(finding) => {
                console_log!("{finding}");
                findings.push(finding);
            }
        }
    }
    console_log!("tally over all walks: {total:?}");
    assert!(findings.is_empty(), "{}", findings.join("\n\n"));
}
