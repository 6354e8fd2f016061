//! Account commands end to end: tokens work from issue to revocation, deactivation stops
//! every token of the user at once, and a refusal writes nothing. Who may do what is decided
//! by the commands' rules, tested given/when/then in `decisions::accounts`.

use caseledger_core::commands::accounts::{
    CreateOrganization, CreateUser, DeactivateUser, RevokeToken,
};
use caseledger_core::{OrganizationId, Role, SharingPolicy, UserId};
use caseledger_service::{ErrorCode, Service, ServiceConfig, Session, new_id};

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
        .issue_token(&s.session_for(cm).unwrap(), ccc_admin.user())
        .await
        .unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::Forbidden, None));
    assert_eq!(s.head().position, head, "a refusal writes nothing");

    // The agency admin issues Maria a token; it works until revoked.
    let (token_id, token, _) = s.issue_token(&ccc_admin, cm).await.unwrap();
    assert_eq!(s.authenticate(&token).unwrap().user(), cm);
    s.run(&s.session_for(cm).unwrap(), &RevokeToken { token_id })
        .await
        .unwrap();
    assert_eq!(
        s.authenticate(&token).unwrap_err().code,
        ErrorCode::Unauthenticated
    );

    // Deactivation stops every token of the user at once.
    let (_, second, _) = s
        .issue_token(&s.session_for(cm).unwrap(), cm)
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
    let e = s.issue_token(&ccc_admin, cm).await.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Conflict, Some("userId"))
    );
    s.shutdown().await;
}
