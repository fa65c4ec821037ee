//! `--state-file`: the engine's state survives a restart (graceful or `kill -9`) on the same
//! port; an unusable file is set aside and the simulator starts empty.

mod common;

use common::{Agent, Http, JSON, config};
use gws_sim::{AppState, SimConfig};
use serde_json::Value;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gws-sim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn with_state_file(path: &Path) -> SimConfig {
    SimConfig {
        state_file: Some(path.to_path_buf()),
        ..config()
    }
}

/// A free port below Linux's ephemeral range (32768–60999). Both tests restart a server on the
/// port it had; an ephemeral port can be taken meanwhile as the local port of some outgoing
/// connection on a busy machine (seen: `AddrInUse` on the restart), a port down here cannot.
fn restartable_port() -> u16 {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
        ^ std::process::id();
    (0..200u32)
        .map(|i| {
            20_000 + ((seed.wrapping_mul(2_654_435_761).wrapping_add(i * 7_919)) % 12_000) as u16
        })
        .find(|port| {
            // Never one another test of this binary holds: between its stop and its restart a
            // port is free, and handing it out again then failed that restart (`AddrInUse`).
            let mut given = GIVEN_PORTS.lock().unwrap_or_else(|e| e.into_inner());
            if given.contains(port) || std::net::TcpListener::bind(("127.0.0.1", *port)).is_err() {
                return false;
            }
            given.push(*port);
            true
        })
        .expect("a free port in 20000..32000")
}

/// The ports [`restartable_port`] has handed out in this test binary.
static GIVEN_PORTS: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());

/// Serves on `address`; returns the client, the stop trigger and the task.
async fn serve_on(
    address: &str,
    config: SimConfig,
) -> (
    Http,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind(address).await.expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        gws_sim::run(listener, config, async move {
            let _ = rx.await;
        })
        .await
        .expect("server runs");
    });
    let http = Http {
        base: format!("http://{address}"),
        address,
    };
    (http, tx, task)
}

async fn sim(http: &Http, path: &str, body: &str) -> Value {
    let (status, _, text) = http.request("POST", path, &[JSON], body).await;
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).expect("json")
}

async fn the_call(agent: &Agent, id: &str) -> Value {
    let (status, reply) = agent.get(&format!("/api/v2/me/calls/{id}")).await;
    assert_eq!(status, 200, "{reply}");
    reply["call"].clone()
}

#[tokio::test]
async fn a_restarted_server_on_the_same_port_serves_the_same_calls_from_the_state_file() {
    let dir = temp_dir("restart");
    let path = dir.join("state.json");
    let (http, stop, task) = serve_on(
        &format!("127.0.0.1:{}", restartable_port()),
        with_state_file(&path),
    )
    .await;
    let agent = Agent::login(&http, "agent1").await;
    let id = sim(
        &http,
        "/sim/calls",
        r#"{"from":"5000","to":"5005","userData":{"Account":"42"}}"#,
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (status, _) = agent
        .post(
            &format!("/api/v2/me/calls/{id}"),
            r#"{"operationName":"Answer"}"#,
        )
        .await;
    assert_eq!(status, 200);
    sim(&http, "/sim/calls", r#"{"from":"5002","to":"5001"}"#).await;
    let (status, _) = agent
        .post(
            "/api/v2/me/channels/voice",
            r#"{"operationName":"NotReady","reasonCode":"Lunch"}"#,
        )
        .await;
    assert_eq!(status, 200);
    let before = the_call(&agent, &id).await;
    let (_, device_before) = agent.get("/api/v2/me/devices?fields=*").await;
    stop.send(()).expect("stop");
    task.await.expect("stopped");

    let (http, _stop, _task) = serve_on(&http.address, with_state_file(&path)).await;
    let agent = Agent::login(&http, "agent1").await;
    let after = the_call(&agent, &id).await;
    for field in [
        "id",
        "connId",
        "state",
        "uri",
        "participants",
        "userData",
        "capabilities",
        "callType",
    ] {
        assert_eq!(after[field], before[field], "{field}");
    }
    assert_eq!(after["state"], "Established");
    let duration = |call: &Value| {
        call["duration"]
            .as_str()
            .and_then(|d| d.parse::<u64>().ok())
    };
    assert!(duration(&after) >= duration(&before));
    let (_, device_after) = agent.get("/api/v2/me/devices?fields=*").await;
    assert_eq!(device_after, device_before);
    assert_eq!(device_after["devices"][0]["userState"]["reason"], "Lunch");
    let agent2 = Agent::login(&http, "agent2").await;
    let (_, calls) = agent2.get("/api/v2/me/calls?fields=*").await;
    assert_eq!(calls["calls"][0]["state"], "Ringing");
    // The restored call goes on: the agent hangs it up.
    let (status, _) = agent
        .post(
            &format!("/api/v2/me/calls/{id}"),
            r#"{"operationName":"Hangup"}"#,
        )
        .await;
    assert_eq!(status, 200);
    let _ = std::fs::remove_dir_all(dir);
}

/// The `gws-sim` binary on `port`; returns it and the port it printed.
fn start_binary(port: u16, state: &Path) -> (std::process::Child, u16) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gws-sim"))
        .args([
            "--port",
            &port.to_string(),
            "--answer-delay-ms",
            "1500",
            "--agents-logged-in",
            "--state-file",
        ])
        .arg(state)
        .env("RUST_LOG", "gws_sim=warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("gws-sim starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("listening line");
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    (child, port)
}

#[tokio::test]
async fn kill_9_and_a_restart_keep_every_call_and_the_phone_about_to_answer_still_answers() {
    let dir = temp_dir("kill9");
    let path = dir.join("state.json");
    let (mut first, port) = start_binary(restartable_port(), &path);
    let http = Http {
        base: format!("http://127.0.0.1:{port}"),
        address: format!("127.0.0.1:{port}"),
    };
    let agent = Agent::login(&http, "agent1").await;
    let inbound = sim(&http, "/sim/calls", r#"{"from":"5000","to":"5005"}"#).await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (status, _) = agent
        .post(
            &format!("/api/v2/me/calls/{inbound}"),
            r#"{"operationName":"Answer"}"#,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = agent
        .post(
            "/api/v2/me/devices/efe1ab32-53f9-43ce-b65e-5768c61f7d4a/calls",
            r#"{"operationName":"Dial","destination":{"phoneNumber":"7000"}}"#,
        )
        .await;
    assert_eq!(status, 200);
    let (_, before) = agent.get("/api/v2/me/calls?fields=*").await;
    let states = |calls: &Value| -> Vec<(String, String)> {
        calls["calls"]
            .as_array()
            .expect("calls")
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap_or("").to_string(),
                    c["state"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let before_states = states(&before);
    assert_eq!(before_states.len(), 2);
    assert_eq!(before_states[1].1, "Dialing");
    first.kill().expect("SIGKILL");
    let _ = first.wait();

    let (mut second, again) = start_binary(port, &path);
    assert_eq!(again, port);
    let agent = Agent::login(&http, "agent1").await;
    let (_, after) = agent.get("/api/v2/me/calls?fields=*").await;
    let after_states = states(&after);
    assert_eq!(after_states[0], (inbound.clone(), "Held".to_string()));
    assert_eq!(
        after_states[1].0, before_states[1].0,
        "the dialled call kept its id"
    );
    // The simulated phone answers within its 1.5 s, as it would have without the restart.
    let mut answered = false;
    for _ in 0..40 {
        let (_, now) = agent.get("/api/v2/me/calls?fields=*").await;
        if states(&now)
            .get(1)
            .is_some_and(|(_, state)| state == "Established")
        {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    second.kill().expect("SIGKILL");
    let _ = second.wait();
    assert!(answered, "the restored timer fired");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_unparseable_state_file_is_set_aside_and_the_simulator_starts_empty() {
    let dir = temp_dir("garbage");
    let path = dir.join("state.json");
    for garbage in [
        "{not json",
        r#"{"format":99}"#,
        r#"{"format":1,"model":{"agents":[]}}"#,
    ] {
        std::fs::write(&path, garbage).expect("written");
        let state = AppState::new(with_state_file(&path));
        assert_eq!(state.read(|engine, _| engine.call_count()), 0);
        let rejected = std::fs::read_to_string(dir.join("state.json.rejected")).expect("kept");
        assert_eq!(rejected, garbage);
        let fresh: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("rewritten"))
                .expect("json");
        assert_eq!(fresh["format"], 1);
    }
    // A state file written for other users is set aside too.
    std::fs::remove_file(dir.join("state.json.rejected")).expect("removed");
    let mut other = with_state_file(&path);
    other.users.pop();
    let _ = AppState::new(other);
    let rejected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("state.json.rejected")).expect("kept"),
    )
    .expect("json");
    assert_eq!(
        rejected["model"]["agents"].as_array().map(Vec::len),
        Some(3)
    );
    let _ = std::fs::remove_dir_all(dir);
}
