//! Fuzzed REST bodies (issue 7's reliability suite): arbitrary bodies — random bytes, random
//! JSON values, valid operation names with parameters of random types, huge strings, deep
//! nesting, truncated JSON — thrown at every operation endpoint, authenticated and with the
//! CSRF token, through `oneshot`, against an engine holding a few calls.
//!
//! Whatever arrives, the simulator must answer like GWS: never a 5xx (nor a panic), always a
//! JSON body with `statusCode` (and `statusMessage` when it is not 0), and when it refuses
//! (`statusCode` ≠ 0) the model — calls, conversations, devices, agent states, counters — is
//! exactly what it was. The number of cases is bounded (`PROPTEST_CASES`, default 400) so the
//! suite runs in seconds; the run prints how many cases it ran and what they got.

mod common;

use axum::http::Method;
use common::{DEVICE1, DEVICE2, Tally, TestApp, basic, config, count};
use gws_protocol::api::OperationRequest;
use gws_sim::engine::Command;
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Number, Value, json};
use tower::ServiceExt;

const OPERATIONS: &[&str] = &[
    "Dial",
    "Answer",
    "Hangup",
    "Hold",
    "Retrieve",
    "SendDtmf",
    "SingleStepTransfer",
    "SingleStepConference",
    "InitiateTransfer",
    "CompleteTransfer",
    "InitiateConference",
    "CompleteConference",
    "SwapCalls",
    "MergeWithOtherCall",
    "RemoveParticipantFromConference",
    "MuteCall",
    "UnmuteCall",
    "AttachUserData",
    "UpdateUserData",
    "DeleteUserData",
    "DeleteUserDataPair",
    "StartCallRecording",
    "PauseCallRecording",
    "ResumeCallRecording",
    "StopCallRecording",
    "SetCallDisposition",
    "SwitchToListenIn",
    "SwitchToBargeIn",
    "SwitchToCoach",
    "MuteMonitoredUser",
    "UnmuteMonitoredUser",
    "DoNotDisturbOn",
    "DoNotDisturbOff",
    "ForwardCallsOn",
    "ForwardCallsOff",
    "ListenIn",
    "Coach",
    "BargeIn",
    "CancelSupervisorMonitoring",
    "Ready",
    "NotReady",
    "AfterCallWork",
    "AuxWork",
    "StartContactCenterSession",
    "EndContactCenterSession",
];

const PARAMETERS: &[&str] = &[
    "destination",
    "location",
    "userData",
    "key",
    "digits",
    "otherCallUri",
    "consultCallUri",
    "participant",
    "targetDeviceUri",
    "phoneNumber",
    "supervisorMonitoringScope",
    "supervisorMonitoringMode",
    "reasonCode",
    "wrapUpTime",
    "workmode",
    "channels",
    "disposition",
    "dispositionKey",
    "callUuid",
    "callUri",
    "operationName",
];

/// The device endpoint's operations: its own (`OPERATIONS[31..39]`) and SetCallDisposition
/// naming a call by `callUuid` / `callUri` (the older location, gws-api.md §4.1), so the only
/// operation two endpoints take.
const DEVICE_OPERATIONS: &[&str] = &[
    "DoNotDisturbOn",
    "DoNotDisturbOff",
    "ForwardCallsOn",
    "ForwardCallsOff",
    "ListenIn",
    "Coach",
    "BargeIn",
    "CancelSupervisorMonitoring",
    "SetCallDisposition",
];

/// Placeholders for the fixture's call ids (see [`fixture`]; ids change with every start),
/// replaced in a body before it is sent: agent1's talking and ringing calls, agent2's ringing
/// call, agent1's released call.
const FIXTURE_CALLS: [&str; 4] = ["@call0@", "@call1@", "@call2@", "@call3@"];

/// Which endpoint a case hits; call and device ids are picked among the fixture's.
#[derive(Debug, Clone)]
enum Target {
    Call(usize),
    Device(usize),
    Dial(usize),
    Voice,
    Me,
}

#[derive(Debug, Clone)]
struct Case {
    user: &'static str,
    target: Target,
    body: Vec<u8>,
}

/// Values a GWS parameter could plausibly hold, to get past the first checks.
fn plausible() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"phoneNumber": "5001"})),
        Just(json!({"phoneNumber": "7000"})),
        Just(json!({"phoneNumber": "9000"})),
        Just(json!({"phoneNumber": ""})),
        Just(json!("5005")),
        Just(json!("1*#9")),
        Just(json!({"Account": "42"})),
        Just(json!(
            "http://127.0.0.1:8080/api/v2/me/calls/013V08JRL498H1OI04000VTAES000001"
        )),
        Just(json!(
            "http://127.0.0.1:8080/api/v2/devices/9c14cad7-17c4-48d0-8492-7cf0ff92c224"
        )),
        Just(json!("AllCalls")),
        Just(json!("Coach")),
        Just(json!("Break")),
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,24}".prop_map(Value::String),
        "[0-9*#+]{0,24}".prop_map(Value::String),
        plausible(),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    prop::sample::select(PARAMETERS).prop_map(str::to_string),
                    "\\PC{0,12}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A valid (or almost valid) operation name with parameters of random types.
fn operation_body() -> impl Strategy<Value = Value> {
    let name = prop_oneof![
        6 => prop::sample::select(OPERATIONS).prop_map(|n| json!(n)),
        1 => "\\PC{0,16}".prop_map(Value::String),
        1 => json_leaf(),
    ];
    let parameters = prop::collection::btree_map(
        prop::sample::select(PARAMETERS),
        prop_oneof![4 => plausible(), 2 => json_value()],
        0..3,
    );
    (name, parameters).prop_map(|(name, parameters)| {
        let mut body = Map::new();
        for (key, value) in parameters {
            body.insert(key.to_string(), value);
        }
        body.insert("operationName".into(), name);
        Value::Object(body)
    })
}

/// A well-formed body for an operation the fixture's calls and devices may allow, so that
/// accepted commands (and the engine paths behind them) get their share of the cases.
fn sensible_body(operations: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let destination =
        prop::sample::select(vec!["5001", "5010", "7000", "9000", "9001", "9002", "5005"]);
    (
        prop::sample::select(operations),
        destination,
        any::<bool>(),
        prop::sample::select(&FIXTURE_CALLS[..]),
    )
        .prop_map(|(operation, number, with_data, call)| {
            let mut body = json!({"operationName": operation});
            match operation {
                "Dial"
                | "InitiateTransfer"
                | "InitiateConference"
                | "SingleStepTransfer"
                | "SingleStepConference"
                | "ForwardCallsOn" => {
                    body["destination"] = json!({"phoneNumber": number});
                }
                "SendDtmf" => body["digits"] = json!("12#"),
                "DeleteUserDataPair" => body["key"] = json!("Account"),
                "SetCallDisposition" => {
                    body["disposition"] = json!("Sale");
                    // Read by the device form only (the call form takes the call from the path).
                    if with_data {
                        body["callUri"] =
                            json!(format!("http://127.0.0.1:8080/api/v2/me/calls/{call}"));
                    } else {
                        body["callUuid"] = json!(call);
                    }
                }
                "ListenIn" | "Coach" | "BargeIn" => body["phoneNumber"] = json!("5005"),
                "NotReady" => body["reasonCode"] = json!("Break"),
                _ => {}
            }
            if with_data {
                body["userData"] = json!({"Account": "42", "Tier": 3});
            }
            body.to_string().into_bytes()
        })
}

/// A body with one huge string (some above the 1 MiB body limit, one above axum's default
/// 2 MB, which used to get a plain-text 413).
fn huge_body() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(vec![
            64 * 1024,
            900 * 1024,
            1024 * 1024 + 1,
            3 * 1024 * 1024,
        ]),
        prop::sample::select(vec![
            "operationName",
            "userData",
            "digits",
            "destination",
            "key",
        ]),
        prop::sample::select(OPERATIONS),
    )
        .prop_map(|(len, field, operation)| {
            let huge = "7".repeat(len);
            let mut body = json!({"operationName": operation});
            body[field] = match field {
                "userData" => json!({"big": huge}),
                "destination" => json!({"phoneNumber": huge}),
                _ => json!(huge),
            };
            body.to_string().into_bytes()
        })
}

/// Arrays or objects nested `depth` deep, alone or as a parameter.
fn deep_body() -> impl Strategy<Value = Vec<u8>> {
    (
        1usize..5000,
        any::<bool>(),
        prop::sample::select(OPERATIONS),
    )
        .prop_map(|(depth, objects, operation)| {
            let (open, close) = if objects {
                (r#"{"a":"#, "}")
            } else {
                ("[", "]")
            };
            let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            if depth % 2 == 0 {
                nested.into_bytes()
            } else {
                format!(r#"{{"operationName":"{operation}","userData":{nested}}}"#).into_bytes()
            }
        })
}

/// The operations each endpoint takes.
fn operations_of(target: &Target) -> &'static [&'static str] {
    match target {
        Target::Call(_) => &OPERATIONS[1..31],
        Target::Device(_) => DEVICE_OPERATIONS,
        Target::Dial(_) => &OPERATIONS[..1],
        Target::Voice => &OPERATIONS[39..43],
        Target::Me => &OPERATIONS[43..],
    }
}

fn body(target: &Target) -> impl Strategy<Value = Vec<u8>> + use<> {
    prop_oneof![
        6 => sensible_body(operations_of(target)),
        2 => prop::collection::vec(any::<u8>(), 0..256),
        3 => json_value().prop_map(|v| v.to_string().into_bytes()),
        8 => operation_body().prop_map(|v| v.to_string().into_bytes()),
        2 => (operation_body(), any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            // Truncated JSON.
            let text = v.to_string().into_bytes();
            let at = cut.index(text.len().max(1));
            text[..at].to_vec()
        }),
        1 => huge_body(),
        1 => deep_body(),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let target = prop_oneof![
        4 => (0usize..4).prop_map(Target::Call),
        2 => (0usize..3).prop_map(Target::Device),
        2 => (0usize..3).prop_map(Target::Dial),
        2 => Just(Target::Voice),
        1 => Just(Target::Me),
    ];
    let user = prop_oneof![4 => Just("agent1"), 1 => Just("supervisor1")];
    (user, target).prop_flat_map(|(user, target)| {
        body(&target).prop_map(move |body| Case {
            user,
            target: target.clone(),
            body,
        })
    })
}

fn request(operation: Value) -> OperationRequest {
    serde_json::from_value(operation).expect("operation")
}

/// A simulator holding a few calls: agent1 talking on one and a second ringing, agent2's
/// call ringing (not agent1's to touch), and agent1's call released by the customer.
fn fixture() -> (TestApp, Vec<String>, [String; 4]) {
    let app = TestApp::new(config());
    let inject = |to: &str, from: &str| {
        app.state
            .execute(Command::InjectCall {
                from: from.into(),
                to: to.into(),
                user_data: None,
            })
            .expect("injected")
            .call_id
            .expect("call id")
    };
    let talking = inject("5005", "5000");
    app.state
        .execute(Command::CallOperation {
            user: "agent1".into(),
            call_id: talking.clone(),
            request: request(json!({"operationName": "Answer"})),
        })
        .expect("answered");
    let ringing = inject("5005", "5002");
    let theirs = inject("5001", "5003");
    // A call the customer hung up: a device-level SetCallDisposition can still name it.
    let released = inject("5005", "5004");
    app.state
        .execute(Command::RemoteHangup {
            call_id: released.clone(),
            number: None,
        })
        .expect("hung up");
    let named = [&talking, &ringing, &theirs, &released].map(String::clone);
    (
        app,
        vec![talking, ringing, theirs, "not-a-call".into()],
        named,
    )
}

fn path(target: &Target, calls: &[String]) -> String {
    let devices = [DEVICE1, DEVICE2, "00000000-0000-0000-0000-000000000000"];
    match target {
        Target::Call(i) => format!("/api/v2/me/calls/{}", calls[*i % calls.len()]),
        Target::Device(i) => format!("/api/v2/me/devices/{}", devices[*i % devices.len()]),
        Target::Dial(i) => format!("/api/v2/me/devices/{}/calls", devices[*i % devices.len()]),
        Target::Voice => "/api/v2/me/channels/voice".into(),
        Target::Me => "/api/v2/me".into(),
    }
}

/// `body` with the [`FIXTURE_CALLS`] placeholders replaced by the fixture's call ids (a body
/// that is not UTF-8 has none).
fn with_call_ids(body: &[u8], ids: &[String; 4]) -> Vec<u8> {
    match std::str::from_utf8(body) {
        Ok(text) if text.contains("@call") => FIXTURE_CALLS
            .iter()
            .zip(ids)
            .fold(text.to_string(), |text, (placeholder, id)| {
                text.replace(placeholder, id)
            })
            .into_bytes(),
        _ => body.to_vec(),
    }
}

async fn run_case(case: &Case, tally: &Tally<(u16, i64)>) -> Result<(), TestCaseError> {
    let (app, calls, named) = fixture();
    let case_body = with_call_ids(&case.body, &named);
    let token = app.csrf(case.user).await;
    let before = app.state.read(|engine, _| engine.persisted());
    let uri = path(&case.target, &calls);
    // Raw bytes, not text: invalid UTF-8 is part of the fuzz.
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(&uri)
        .header("authorization", basic(case.user))
        .header("x-csrf-token", &token)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(case_body.clone()))
        .map_err(|e| TestCaseError::fail(format!("request: {e}")))?;
    let response = app
        .app
        .clone()
        .oneshot(request)
        .await
        .map_err(|e| TestCaseError::fail(format!("{uri}: {e}")))?;
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| TestCaseError::fail(format!("{uri}: body {e}")))?
        .to_bytes();
    let reply = common::Reply {
        status,
        headers: axum::http::HeaderMap::new(),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    };
    let body = String::from_utf8_lossy(&case_body);
    let preview: String = body.chars().take(200).collect();
    prop_assert!(
        reply.status.as_u16() < 500,
        "{} {uri} {preview}: {}",
        reply.status,
        reply.text
    );
    if reply.status.as_u16() == 403 && reply.text == gws_sim::auth::CSRF_FAILURE {
        count(tally, (403, -1));
        return Ok(());
    }
    let json: Value = serde_json::from_str(&reply.text).map_err(|e| {
        TestCaseError::fail(format!("{uri} {preview}: not JSON ({e}): {}", reply.text))
    })?;
    let code = json["statusCode"]
        .as_i64()
        .ok_or_else(|| TestCaseError::fail(format!("{uri} {preview}: no statusCode: {json}")))?;
    count(tally, (reply.status.as_u16(), code));
    if code == 0 {
        prop_assert_eq!(reply.status.as_u16(), 200, "{} {}", uri, preview);
    } else {
        prop_assert!(
            json["statusMessage"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{uri} {preview}: no statusMessage: {json}"
        );
        let after = app.state.read(|engine, _| engine.persisted());
        prop_assert!(
            after == before,
            "{uri} {preview}: refused ({json}) but the model changed"
        );
    }
    Ok(())
}

#[test]
fn the_endpoint_operation_lists_cover_every_operation_once() {
    let targets = [
        Target::Call(0),
        Target::Device(0),
        Target::Dial(0),
        Target::Voice,
        Target::Me,
    ];
    let mut all: Vec<&str> = targets.iter().flat_map(operations_of).copied().collect();
    // SetCallDisposition is taken by the call and the device endpoints; every other once.
    assert_eq!(all.len(), OPERATIONS.len() + 1);
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), OPERATIONS.len());
    assert_eq!(&DEVICE_OPERATIONS[..8], &OPERATIONS[31..39]);
    assert_eq!(
        operations_of(&Target::Voice),
        ["Ready", "NotReady", "AfterCallWork", "AuxWork"]
    );
    assert_eq!(operations_of(&Target::Device(0))[0], "DoNotDisturbOn");
}

#[test]
fn arbitrary_bodies_never_get_a_5xx_always_get_a_gws_answer_and_refusals_change_nothing() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    common::fuzz(
        "fuzzed REST bodies",
        400,
        case(),
        |case, tally| runtime.block_on(run_case(&case, tally)),
        |(status, code), n| format!("HTTP {status}/statusCode {code}: {n}"),
    );
}
