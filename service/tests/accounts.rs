//! Account commands end to end: tokens work from issue to revocation, deactivation stops
//! every token of the user at once, and a refusal writes nothing. Who may do what is decided
//! by the commands' rules, tested given/when/then in `decisions::accounts`.

use caseledger_core::commands::accounts::{
    CreateOrganization, CreateUser, DeactivateUser, RevokeToken,
};
use caseledger_core::{OrganizationId, Role, SharingPolicy, UserId};
use caseledger_service::{DEFAULT_TOKEN_DAYS, ErrorCode, Service, ServiceConfig, Session, new_id};

async fn organization(s: &Service, admin: &Session, name: &str) -> OrganizationId {
    let id = new_id();
    let command = CreateOrganization {
        organization_id: id,
        name: name.into(),
        victim_service_provider: false,
        source_id: None,
    };
    s.run(admin, &command).await.unwrap();
    id
}

async fn user(
    s: &Service,
    by: &Session,
    organization: OrganizationId,
    name: &str,
    role: Role,
) -> UserId {
    let id = new_id();
    let command = CreateUser {
        user_id: id,
        organization_id: organization,
        username: name.into(),
        display_name: name.into(),
        role,
    };
    s.run(by, &command).await.unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_lifecycle_and_its_authorization() {
    let dir = tempfile::tempdir().unwrap();
    let s = Service::open(&ServiceConfig::new(dir.path())).unwrap();
    s.start();
    let boot = s
        .bootstrap(SharingPolicy::clienttrack("UTC"), "CoC", "root")
        .await
        .unwrap();
    let admin = s.session_for(boot.admin).unwrap();
    let ccc = organization(&s, &admin, "Children's Crisis Center").await;
    let ccc_admin = user(&s, &admin, ccc, "ccc-admin", Role::AgencyAdmin).await;
    let ccc_admin = s.session_for(ccc_admin).unwrap();
    let cm = user(&s, &ccc_admin, ccc, "maria", Role::CaseManager).await;

    let head = s.head().position;
    let e = s
        .issue_token(&s.session_for(cm).unwrap(), ccc_admin.user(), "x", None)
        .await
        .unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Forbidden, None));
    assert_eq!(s.head().position, head, "a refusal writes nothing");

    // A token lives at most the server's lifetime (90 days by default).
    for days in [0, DEFAULT_TOKEN_DAYS + 1] {
        let e = s
            .issue_token(&ccc_admin, cm, "too long", Some(days))
            .await
            .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::Validation, Some("expiresInDays")),
            "{days} days"
        );
    }
    assert_eq!(s.head().position, head, "a refusal writes nothing");

    // The agency admin issues Maria a token; it works until revoked.
    let before = chrono::Utc::now();
    let (token_id, token, expires, _) = s
        .issue_token(&ccc_admin, cm, "Bed-board export", Some(30))
        .await
        .unwrap();
    let lives = expires.to_datetime() - before;
    assert!(
        (chrono::Duration::days(30)..chrono::Duration::days(30) + chrono::Duration::minutes(1))
            .contains(&lives),
        "{lives}"
    );
    let listed = |by: &Session| s.tokens(by, Some(cm));
    let [unused] = &listed(&ccc_admin).unwrap()[..] else {
        panic!("one token of Maria's")
    };
    assert_eq!(
        (
            unused.id,
            unused.name.as_str(),
            unused.expires_at,
            unused.last_used_at,
            unused.works
        ),
        (token_id, "Bed-board export", Some(expires), None, true)
    );
    assert_eq!(s.authenticate(&token).unwrap().user(), cm);
    let [used] = &listed(&s.session_for(cm).unwrap()).unwrap()[..] else {
        panic!("Maria sees her own token")
    };
    assert!(used.last_used_at.is_some_and(|t| t.to_datetime() >= before));
    // Another organization's administrator, and the bootstrap admin's own list, do not hold it.
    let other = organization(&s, &admin, "Other agency").await;
    let other_admin = user(&s, &admin, other, "other-admin", Role::AgencyAdmin).await;
    let other_admin = s.session_for(other_admin).unwrap();
    let e = listed(&other_admin).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Forbidden, Some("userId"))
    );
    assert!(s.tokens(&other_admin, None).unwrap().is_empty());
    assert_eq!(
        s.tokens(&admin, None).unwrap().len(),
        2,
        "the admin's and Maria's"
    );

    s.run(&s.session_for(cm).unwrap(), &RevokeToken { token_id })
        .await
        .unwrap();
    assert_eq!(
        s.authenticate(&token).unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    let [revoked] = &listed(&ccc_admin).unwrap()[..] else {
        panic!("the revoked token is still listed")
    };
    assert!(!revoked.works && revoked.revoked_at.is_some());

    // Deactivation stops every token of the user at once.
    let (_, second, _, _) = s
        .issue_token(&s.session_for(cm).unwrap(), cm, "laptop", None)
        .await
        .unwrap();
    assert!(s.authenticate(&second).is_ok());
    s.run(&ccc_admin, &DeactivateUser { user_id: cm })
        .await
        .unwrap();
    assert_eq!(
        s.authenticate(&second).unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    let e = s
        .issue_token(&ccc_admin, cm, "again", None)
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Conflict, Some("userId"))
    );
    s.shutdown().await;
}

/// What the last-used column remembers survives a restart (saved at shutdown).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_a_token_was_last_used_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServiceConfig::new(dir.path());
    let s = Service::open(&config).unwrap();
    s.start();
    let boot = s
        .bootstrap(SharingPolicy::clienttrack("UTC"), "CoC", "root")
        .await
        .unwrap();
    let admin = s.authenticate(&boot.token).unwrap();
    let used = s.tokens(&admin, None).unwrap()[0].last_used_at;
    assert!(used.is_some());
    s.shutdown().await;
    drop(s);
    let s = Service::open(&config).unwrap();
    let admin = s.session_for(boot.admin).unwrap();
    let [token] = &s.tokens(&admin, None).unwrap()[..] else {
        panic!("the bootstrap token")
    };
    assert_eq!(
        (token.name.as_str(), token.last_used_at),
        ("bootstrap", used)
    );
}
