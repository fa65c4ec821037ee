//! Attach/Update/DeleteUserData(Pair): `AttachedDataChanged` to every agent on the call.

use super::*;

#[test]
fn user_data_operations_publish_attached_data_changed_and_delete_removes_the_property() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let kind = |o: &Outcome| call_events(o)[0].1.notification_type.clone();
    let attached = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "AttachUserData", "userData": {"A": "1", "B": "2"}}),
    );
    assert_eq!(
        kind(&attached),
        gws_protocol::notification::NotificationType::AttachedDataChanged
    );
    assert_eq!(
        calls_for(&attached, AGENT1)[0].user_data,
        json!({"A": "1", "B": "2"}).as_object().cloned()
    );
    let updated = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "UpdateUserData", "userData": {"B": "3"}}),
    );
    assert_eq!(
        calls_for(&updated, AGENT1)[0].user_data,
        json!({"A": "1", "B": "3"}).as_object().cloned()
    );
    let pair = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "DeleteUserDataPair", "key": "A"}),
    );
    assert_eq!(
        calls_for(&pair, AGENT1)[0].user_data,
        json!({"B": "3"}).as_object().cloned()
    );
    let all = call_op(
        &mut engine,
        0,
        AGENT1,
        &id,
        json!({"operationName": "DeleteUserData"}),
    );
    assert_eq!(calls_for(&all, AGENT1)[0].user_data, None);
    assert!(
        all.notifications[0].data["call"].get("userData").is_none(),
        "userData is absent, not empty"
    );
}

#[test]
fn user_data_operations_check_their_parameters() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let cases = [
        (
            json!({"operationName": "AttachUserData"}),
            StatusCode::PARAMETER_MISSING,
        ),
        (
            json!({"operationName": "UpdateUserData", "userData": "x"}),
            StatusCode::PARAMETER_INVALID,
        ),
        (
            json!({"operationName": "DeleteUserDataPair"}),
            StatusCode::PARAMETER_MISSING,
        ),
        (
            json!({"operationName": "DeleteUserDataPair", "key": "Nope"}),
            StatusCode::PARAMETER_INVALID,
        ),
    ];
    for (body, code) in cases {
        assert_eq!(
            refused(&mut engine, AGENT1, &id, body.clone()).status_code(),
            code,
            "{body}"
        );
    }
}

#[test]
fn user_data_is_shared_by_every_agent_on_the_call() {
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5001"));
    let theirs = calls_for(&dialled, AGENT2)[0].id.clone();
    let mine = dialled.call_id.expect("id");
    let attached = call_op(
        &mut engine,
        0,
        AGENT1,
        &mine,
        json!({"operationName": "AttachUserData", "userData": {"K": "V"}}),
    );
    let order: Vec<String> = call_events(&attached).into_iter().map(|(u, _)| u).collect();
    assert_eq!(order, vec![AGENT1, AGENT2]);
    assert_eq!(
        engine.call_of(0, AGENT2, &theirs).expect("call").user_data,
        json!({"K": "V"}).as_object().cloned()
    );
}

/// Compact JSON length, as the bound counts it.
fn json_len(data: &Value) -> usize {
    serde_json::to_string(data).expect("json").len()
}

/// A Dial from agent1 ringing agent2: two agents on one call. Returns (agent1's, agent2's) ids.
fn two_agents(engine: &mut Engine) -> (String, String) {
    let dialled = ok(engine, 0, dial(AGENT1, DEVICE1, "5001"));
    let theirs = calls_for(&dialled, AGENT2)[0].id.clone();
    (dialled.call_id.expect("id"), theirs)
}

fn user_data_of(engine: &Engine, user: &str, id: &str) -> Option<serde_json::Map<String, Value>> {
    engine
        .call_of(0, user, id)
        .expect("call")
        .user_data
        .into_inner()
}

/// Runs a command that must be refused as an invalid parameter and change nothing; a refused
/// command returns no `Outcome`, so nothing is published either.
fn refused_invalid(engine: &mut Engine, command: Command) -> EngineError {
    let before = engine.snapshot(0);
    let error = engine.handle(0, command).expect_err("refused");
    assert_eq!(
        error.status_code(),
        StatusCode::PARAMETER_INVALID,
        "{error}"
    );
    assert_eq!(
        engine.snapshot(0),
        before,
        "a refused command changes nothing"
    );
    error
}

#[test]
fn an_attach_whose_result_is_over_the_byte_bound_is_refused_and_changes_nothing() {
    let mut engine = engine();
    let (mine, theirs) = two_agents(&mut engine);
    call_op(
        &mut engine,
        0,
        AGENT1,
        &mine,
        json!({"operationName": "AttachUserData", "userData": {"Case": "42"}}),
    );
    let kept = json!({"Case": "42"}).as_object().cloned();
    let huge = "x".repeat(USER_DATA_MAX_BYTES);
    for body in [
        json!({"operationName": "AttachUserData", "userData": {"Blob": huge}}),
        json!({"operationName": "UpdateUserData", "userData": {"Case": huge}}),
        json!({"operationName": "SetCallDisposition", "disposition": huge}),
    ] {
        let error = refused_invalid(&mut engine, op(AGENT1, &mine, body));
        assert!(error.to_string().contains("bytes"), "{error}");
        assert_eq!(user_data_of(&engine, AGENT1, &mine), kept);
        assert_eq!(user_data_of(&engine, AGENT2, &theirs), kept);
    }
}

/// agent1 attaches `key` with a value of `len` bytes; both agents are told; `data` follows.
fn attach_pair(engine: &mut Engine, id: &str, data: &mut Value, key: &str, len: usize) {
    let value = "v".repeat(len);
    let outcome = call_op(
        engine,
        0,
        AGENT1,
        id,
        json!({"operationName": "AttachUserData", "userData": {key: value.clone()}}),
    );
    assert_eq!(outcome.notifications.len(), 2, "both agents are told");
    data[key] = Value::String(value);
}

#[test]
fn small_attaches_accumulate_up_to_the_byte_bound_then_the_next_is_refused() {
    let mut engine = engine();
    let (mine, theirs) = two_agents(&mut engine);
    let mut data = json!({});
    // 4 KiB pieces until the next would not fit, then one piece filling the bound exactly.
    let mut n = 0;
    while json_len(&data) + 4_200 < USER_DATA_MAX_BYTES {
        attach_pair(&mut engine, &mine, &mut data, &format!("K{n:02}"), 4_096);
        n += 1;
    }
    assert!(n > 10, "many small attaches were accepted ({n})");
    let overhead = json_len(&json!({"Last": ""})) - 1; // `"Last":""` and a comma
    let room = USER_DATA_MAX_BYTES - json_len(&data) - overhead;
    attach_pair(&mut engine, &mine, &mut data, "Last", room);
    assert_eq!(json_len(&data), USER_DATA_MAX_BYTES, "filled exactly");
    let full = data.as_object().cloned();
    assert_eq!(user_data_of(&engine, AGENT2, &theirs), full);
    let error = refused_invalid(
        &mut engine,
        op(
            AGENT1,
            &mine,
            json!({"operationName": "AttachUserData", "userData": {"Z": "1"}}),
        ),
    );
    assert!(error.to_string().contains("bytes"), "{error}");
    assert_eq!(user_data_of(&engine, AGENT1, &mine), full);
    assert_eq!(user_data_of(&engine, AGENT2, &theirs), full);
    // Freeing room makes attaching possible again.
    call_op(
        &mut engine,
        0,
        AGENT1,
        &mine,
        json!({"operationName": "DeleteUserDataPair", "key": "K00"}),
    );
    call_op(
        &mut engine,
        0,
        AGENT1,
        &mine,
        json!({"operationName": "AttachUserData", "userData": {"Z": "1"}}),
    );
}

#[test]
fn attaches_accumulate_up_to_the_key_bound_then_a_new_key_is_refused() {
    let mut engine = engine();
    let (mine, theirs) = two_agents(&mut engine);
    for batch in 0..USER_DATA_MAX_KEYS / 10 {
        let pairs: serde_json::Map<String, Value> = (0..10)
            .map(|i| (format!("K{batch}{i}"), json!("v")))
            .collect();
        call_op(
            &mut engine,
            0,
            AGENT1,
            &mine,
            json!({"operationName": "AttachUserData", "userData": pairs}),
        );
    }
    let full = user_data_of(&engine, AGENT1, &mine).expect("data");
    assert_eq!(full.len(), USER_DATA_MAX_KEYS);
    let error = refused_invalid(
        &mut engine,
        op(
            AGENT1,
            &mine,
            json!({"operationName": "AttachUserData", "userData": {"One": "more"}}),
        ),
    );
    assert!(error.to_string().contains("keys"), "{error}");
    let error = refused_invalid(
        &mut engine,
        op(
            AGENT2,
            &theirs,
            json!({"operationName": "SetCallDisposition", "disposition": "Sale"}),
        ),
    );
    assert!(error.to_string().contains("keys"), "{error}");
    assert_eq!(user_data_of(&engine, AGENT2, &theirs), Some(full));
    // Overwriting a key leaves the count as it is: accepted.
    call_op(
        &mut engine,
        0,
        AGENT1,
        &mine,
        json!({"operationName": "UpdateUserData", "userData": {"K00": "w"}}),
    );
}

#[test]
fn a_transfer_cannot_carry_the_call_past_the_bound() {
    let mut engine = engine();
    let id = established(&mut engine, 0);
    let huge = "x".repeat(USER_DATA_MAX_BYTES);
    for operation in [
        "InitiateTransfer",
        "InitiateConference",
        "SingleStepTransfer",
    ] {
        refused_invalid(
            &mut engine,
            op(
                AGENT1,
                &id,
                json!({"operationName": operation, "destination": {"phoneNumber": "5001"},
                       "userData": {"Blob": huge}}),
            ),
        );
    }
    assert_eq!(user_data_of(&engine, AGENT1, &id), None);
    assert_eq!(engine.calls_of(0, AGENT1).len(), 1);
    assert!(engine.calls_of(0, AGENT2).is_empty());
}

#[test]
fn an_injected_call_with_too_much_user_data_is_refused() {
    let mut engine = engine();
    let too_many: serde_json::Map<String, Value> = (0..=USER_DATA_MAX_KEYS)
        .map(|i| (format!("K{i}"), json!("v")))
        .collect();
    let too_big = json!({"Blob": "x".repeat(USER_DATA_MAX_BYTES)})
        .as_object()
        .cloned()
        .expect("map");
    for user_data in [too_many, too_big] {
        refused_invalid(
            &mut engine,
            Command::InjectCall {
                from: "5000".into(),
                to: "5005".into(),
                user_data: Some(user_data),
            },
        );
    }
    assert!(engine.calls_of(0, AGENT1).is_empty());
}
