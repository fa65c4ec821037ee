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
