//! Dial: simulated phones, other agents, invalid, busy and no-answer numbers, user data.

use super::*;

#[test]
fn dial_to_a_simulated_phone_dials_then_establishes_when_the_timer_fires() {
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5002"));
    let calls = calls_for(&dialled, AGENT1);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].state, CallState::Dialing);
    assert_eq!(
        caps(&calls[0]),
        set(&[
            "AttachUserData",
            "UpdateUserData",
            "DeleteUserData",
            "DeleteUserDataPair",
            "Hangup",
            "SendDtmf"
        ])
    );
    assert_eq!(calls[0].dnis.as_deref(), Some("5002"));
    assert_eq!(calls[0].participants, vec![Participant::internal("5002")]);
    assert_eq!(dialled.call_id.as_deref(), Some(calls[0].id.as_str()));
    assert_eq!(
        dialled.timers,
        vec![Timer {
            after_ms: 1000,
            event: dialled.timers[0].event.clone()
        }]
    );
    let answered = fire(&mut engine, 1000, &dialled);
    let calls = calls_for(&answered[0], AGENT1);
    assert_eq!(calls[0].state, CallState::Established);
    assert_eq!(caps(&calls[0]), set(&SET_D));
}

#[test]
fn dial_to_another_agent_rings_their_own_call() {
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, "5001"));
    assert!(dialled.timers.is_empty(), "agents answer themselves");
    let ringing = calls_for(&dialled, AGENT2);
    assert_eq!(ringing.len(), 1);
    assert_eq!(ringing[0].state, CallState::Ringing);
    assert_eq!(ringing[0].participants, vec![Participant::internal("5005")]);
    assert_eq!(ringing[0].dnis.as_deref(), Some("5001"));
    let answered = call_op(
        &mut engine,
        3000,
        AGENT2,
        &ringing[0].id,
        json!({"operationName": "Answer"}),
    );
    let order: Vec<String> = call_events(&answered).into_iter().map(|(u, _)| u).collect();
    assert_eq!(
        order,
        vec![AGENT2, AGENT1],
        "the answering side first, then the caller"
    );
    assert_eq!(
        calls_for(&answered, AGENT1)[0].state,
        CallState::Established
    );
    let hung_up = call_op(
        &mut engine,
        4000,
        AGENT2,
        &ringing[0].id,
        json!({"operationName": "Hangup"}),
    );
    assert_eq!(
        calls_for(&hung_up, AGENT1)[0].state,
        CallState::Released,
        "the other side sees the hang-up"
    );
}

#[test]
fn dial_refuses_a_missing_destination_another_users_device_and_other_operations() {
    let mut engine = engine();
    let missing = Command::Dial {
        user: AGENT1.into(),
        device_id: DEVICE1.into(),
        request: serde_json::from_value(json!({"operationName": "Dial"})).expect("body"),
    };
    assert!(matches!(
        engine.handle(0, missing),
        Err(EngineError::MissingParameter(_))
    ));
    assert!(matches!(
        engine.handle(0, dial(AGENT2, DEVICE1, "5002")),
        Err(EngineError::NotFound(_))
    ));
    let wrong = Command::Dial {
        user: AGENT1.into(),
        device_id: DEVICE1.into(),
        request: serde_json::from_value(json!({"operationName": "Answer"})).expect("body"),
    };
    assert!(matches!(
        engine.handle(0, wrong),
        Err(EngineError::Invalid(_))
    ));
    assert!(engine.calls_of(0, AGENT1).is_empty());
}

#[test]
fn dial_to_an_invalid_number_reports_an_error_message_and_creates_nothing() {
    let mut engine = engine();
    for number in [reserved::INVALID, "abc", "5005"] {
        let outcome = ok(&mut engine, 0, dial(AGENT1, DEVICE1, number));
        let errors = errors_for(&outcome, AGENT1);
        assert_eq!(errors.len(), 1, "{number}");
        assert_eq!(errors[0]["errorCode"], error_codes::INVALID_DESTINATION);
        assert_eq!(errors[0]["operationName"], "Dial");
        assert!(
            errors[0]["deviceUri"]
                .as_str()
                .expect("device")
                .ends_with(DEVICE1)
        );
        assert_eq!(outcome.notifications[0].channel, "/v2/me/calls");
        assert!(engine.calls_of(0, AGENT1).is_empty());
    }
}

#[test]
fn dial_to_the_busy_number_errors_then_releases_the_dialing_call() {
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, reserved::BUSY));
    assert_eq!(calls_for(&dialled, AGENT1)[0].state, CallState::Dialing);
    let busy = fire(&mut engine, 1000, &dialled).remove(0);
    let kinds: Vec<&Value> = busy
        .notifications
        .iter()
        .map(|n| &n.data["messageType"])
        .collect();
    assert_eq!(kinds, vec!["ErrorMessage", "CallStateChangeMessage"]);
    let error = &errors_for(&busy, AGENT1)[0];
    assert_eq!(error["errorCode"], error_codes::BUSY);
    assert_eq!(
        error["callUri"],
        calls_for(&dialled, AGENT1)[0]
            .uri
            .0
            .clone()
            .expect("uri")
            .as_str()
    );
    assert_eq!(calls_for(&busy, AGENT1)[0].state, CallState::Released);
    assert!(engine.calls_of(1000, AGENT1).is_empty());
}

#[test]
fn dial_to_the_no_answer_number_rings_until_hung_up() {
    let mut engine = engine();
    let dialled = ok(&mut engine, 0, dial(AGENT1, DEVICE1, reserved::NO_ANSWER));
    assert!(dialled.timers.is_empty());
    let id = dialled.call_id.expect("id");
    let hung_up = call_op(
        &mut engine,
        60_000,
        AGENT1,
        &id,
        json!({"operationName": "Hangup"}),
    );
    assert_eq!(calls_for(&hung_up, AGENT1)[0].state, CallState::Released);
}

#[test]
fn dial_while_talking_holds_the_established_call_first() {
    let mut engine = engine();
    let first = established(&mut engine, 0);
    let dialled = ok(&mut engine, 1000, dial(AGENT1, DEVICE1, "5002"));
    let calls = calls_for(&dialled, AGENT1);
    assert_eq!(states(&calls)[0], (first.clone(), CallState::Held));
    assert_eq!(calls[1].state, CallState::Dialing);
    assert_eq!(calls[1].call_type, Some(CallType::Internal));
    assert_eq!(
        calls[1].parent_call_uri, None,
        "a plain Dial has no parent (seed 000)"
    );
    assert!(caps(&calls[1]).contains("SwapCalls") && caps(&calls[1]).contains("CompleteTransfer"));
}

#[test]
fn dial_carries_user_data() {
    let mut engine = engine();
    let body = json!({"operationName": "Dial", "destination": {"phoneNumber": "5002"}, "userData": {"Case": "42"}});
    let command = Command::Dial {
        user: AGENT1.into(),
        device_id: DEVICE1.into(),
        request: serde_json::from_value(body).expect("body"),
    };
    let outcome = ok(&mut engine, 0, command);
    assert_eq!(
        calls_for(&outcome, AGENT1)[0].user_data,
        json!({"Case": "42"}).as_object().cloned()
    );
}

#[test]
fn a_dial_with_user_data_over_the_bound_is_refused_and_places_no_call() {
    let mut engine = engine();
    let too_many: serde_json::Map<String, Value> = (0..=USER_DATA_MAX_KEYS)
        .map(|i| (format!("K{i}"), json!("v")))
        .collect();
    for user_data in [
        json!({"Blob": "x".repeat(USER_DATA_MAX_BYTES)}),
        json!(too_many),
    ] {
        let body = json!({"operationName": "Dial", "destination": {"phoneNumber": "5001"},
                          "userData": user_data});
        let before = engine.snapshot(0);
        let error = engine
            .handle(
                0,
                Command::Dial {
                    user: AGENT1.into(),
                    device_id: DEVICE1.into(),
                    request: serde_json::from_value(body).expect("body"),
                },
            )
            .expect_err("refused");
        assert_eq!(
            error.status_code(),
            StatusCode::PARAMETER_INVALID,
            "{error}"
        );
        assert_eq!(engine.snapshot(0), before, "nothing changed");
    }
    assert!(engine.calls_of(0, AGENT1).is_empty());
    assert!(
        engine.calls_of(0, AGENT2).is_empty(),
        "the callee never rang"
    );
}
