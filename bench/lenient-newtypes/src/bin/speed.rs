//! Native decode time of the same call JSON through both field forms, interleaved rounds,
//! median per form (ns per call).

use lenient_newtypes::{SAMPLE, attrs, newtypes};
use std::hint::black_box;
use std::time::Instant;

const CALLS: u32 = 200_000;
const ROUNDS: usize = 9;

fn time(decode: impl Fn(&str) -> usize) -> f64 {
    let start = Instant::now();
    let mut sink = 0;
    for _ in 0..CALLS {
        sink += decode(black_box(SAMPLE));
    }
    black_box(sink);
    start.elapsed().as_nanos() as f64 / f64::from(CALLS)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // Both forms must read the sample the same way before their times mean anything.
    let a: attrs::Call = serde_json::from_str(SAMPLE).expect("attrs decode");
    let n: newtypes::Call = serde_json::from_str(SAMPLE).expect("newtypes decode");
    assert_eq!(a.ani, n.ani.0);
    assert_eq!(a.participants[0].digits, n.participants[0].digits.0);
    assert_eq!(a.recording_state, n.recording_state.0);
    assert_eq!(a.supervisor_listening_in, n.supervisor_listening_in.0);
    assert_eq!(a.user_data, n.user_data.0);
    let (mut with_attrs, mut with_newtypes) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        with_attrs.push(time(|s| serde_json::from_str::<attrs::Call>(s).map(|c| c.id.len()).unwrap_or(0)));
        with_newtypes.push(time(|s| serde_json::from_str::<newtypes::Call>(s).map(|c| c.id.len()).unwrap_or(0)));
    }
    let (a, n) = (median(with_attrs), median(with_newtypes));
    println!("| form | ns per call (median of {ROUNDS} rounds × {CALLS}) |");
    println!("|---|---:|");
    println!("| `deserialize_with` attributes | {a:.0} |");
    println!("| newtype field types | {n:.0} |");
    println!("\nnewtypes ÷ attributes: {:.3}", n / a);
}
