//! What the fuzz suites share (`fuzz_peer.rs`: the server's data, `fuzz_tabs.rs`: other tabs'
//! messages, `bayeux_walk.rs`: the Bayeux session's walk): the bounded, seeded proptest runner
//! and structure-aware mutations of a JSON tree. Each suite picks its own values, keys and
//! weights; each uses part of this.
#![allow(dead_code)]

use proptest::sample::Index;
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestCaseError, TestRunner};
use serde_json::Value;
use std::collections::hash_map::RandomState;

/// Runs `property` over `strategy` for `PROPTEST_CASES` cases (default 256), no persistence
/// file, and says how many cases ran, how long they took and from which seed; `report` then
/// prints what the suite counted (before a failure is raised, so a failing run still shows it).
/// The seed is fresh on every run (each run explores new cases); `PROPTEST_RNG_SEED=<seed>`
/// replays a run — the same cases in the same order, so the same failure and its shrinking.
pub fn run<S: Strategy>(
    name: &str,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
    report: impl FnOnce(),
) {
    run_seeded(name, None, strategy, property, report);
}

/// [`run`] from `default_seed` unless `PROPTEST_RNG_SEED` names another: a suite whose
/// default run must be the same every time (its failure is then a regression, never luck)
/// while other seeds are explored on purpose.
pub fn run_seeded<S: Strategy>(
    name: &str,
    default_seed: Option<u64>,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
    report: impl FnOnce(),
) {
    let var = |key: &str| std::env::var(key).ok();
    let cases = var("PROPTEST_CASES")
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    let seed = var("PROPTEST_RNG_SEED")
        .and_then(|n| n.parse().ok())
        .or(default_seed)
        .unwrap_or_else(|| std::hash::BuildHasher::hash_one(&RandomState::new(), name));
    // XorShift: ChaCha (the default) was most of the run time in a debug build, and the cases
    // need variety, not cryptographic randomness.
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::XorShift,
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    });
    let ran = std::cell::Cell::new(0usize);
    // The wall clock of the test run, for its report only: the code under test never reads it.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let result = runner.run(&strategy, |value| {
        ran.set(ran.get() + 1);
        property(value)
    });
    println!(
        "{name}: {} cases run ({cases} wanted, shrinking included) in {:.2} s from seed {seed} \
         (PROPTEST_RNG_SEED={seed} replays), {}",
        ran.get(),
        started.elapsed().as_secs_f64(),
        if result.is_ok() { "passed" } else { "FAILED" }
    );
    report();
    if let Err(error) = result {
        panic!("{name} (PROPTEST_RNG_SEED={seed} replays): {error}");
    }
}

/// One step of a path into a JSON tree.
#[derive(Debug, Clone)]
pub enum Step {
    Key(String),
    At(usize),
}

/// Every path of `value`'s tree (the root's is empty), depth first.
pub fn paths(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                prefix.push(Step::Key(key.clone()));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (at, child) in items.iter().enumerate() {
                prefix.push(Step::At(at));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

pub fn node<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |value, step| match step {
        Step::Key(key) => value.get_mut(key.as_str()),
        Step::At(at) => value.get_mut(*at),
    })
}

/// A structure-aware change of a JSON tree, applied at a node picked by its `Index`.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// The node leaves its object or array (the root becomes `null`).
    Drop(Index),
    /// The node becomes another value (often of another type).
    Replace(Index, Value),
    /// An object gains a field (an array an item), usually unknown.
    Add(Index, String, Value),
    /// An array item is repeated (a duplicated call, device, capability…).
    Duplicate(Index),
    /// The node is wrapped in an array (a one-item list where one value was expected).
    Wrap(Index),
}

/// `value` with `mutations` applied in turn (each picks its node among the tree's paths then).
pub fn mutate(mut value: Value, mutations: &[Mutation]) -> Value {
    for mutation in mutations {
        let mut all = Vec::new();
        paths(&value, &mut Vec::new(), &mut all);
        let at = match mutation {
            Mutation::Drop(at)
            | Mutation::Replace(at, _)
            | Mutation::Add(at, _, _)
            | Mutation::Duplicate(at)
            | Mutation::Wrap(at) => at.index(all.len()),
        };
        let path = &all[at];
        match mutation {
            Mutation::Drop(_) => match path.split_last() {
                None => value = Value::Null,
                Some((last, parent)) => match (node(&mut value, parent), last) {
                    (Some(Value::Object(map)), Step::Key(key)) => {
                        map.remove(key);
                    }
                    (Some(Value::Array(items)), Step::At(at)) => {
                        items.remove(*at);
                    }
                    _ => {}
                },
            },
            Mutation::Replace(_, new) => {
                if let Some(target) = node(&mut value, path) {
                    *target = new.clone();
                }
            }
            Mutation::Add(_, key, new) => match node(&mut value, path) {
                Some(Value::Object(map)) => {
                    map.insert(key.clone(), new.clone());
                }
                Some(Value::Array(items)) => items.push(new.clone()),
                _ => {}
            },
            Mutation::Duplicate(_) => {
                if let Some((Step::At(at), parent)) = path.split_last()
                    && let Some(Value::Array(items)) = node(&mut value, parent)
                {
                    let copy = items[*at].clone();
                    items.insert(*at, copy);
                }
            }
            Mutation::Wrap(_) => {
                if let Some(target) = node(&mut value, path) {
                    *target = Value::Array(vec![target.take()]);
                }
            }
        }
    }
    value
}
