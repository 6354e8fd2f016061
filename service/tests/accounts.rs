//! Account commands: who may create organizations, users and tokens; revocation and
//! deactivation take effect at once; every rejection has its code and writes nothing.

use caseledger_core::{OrganizationId, Role, SharingPolicy};
use caseledger_service::{Bootstrap, ErrorCode, Service, ServiceConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_lifecycle_and_its_authorization() {
    let dir = tempfile::tempdir().unwrap();
    let s = Service::open(&ServiceConfig::new(dir.path())).unwrap();
    s.start();
    let boot = s
        .bootstrap(Bootstrap {
            policy: SharingPolicy::clienttrack("UTC"),
            lead_name: "CoC".into(),
            admin_username: "root".into(),
        })
        .await
        .unwrap();
    let admin = boot.admin;
    let (ccc, _) = s
        .create_organization(
            &s.session_for(admin).unwrap(),
            "Children's Crisis Center",
            false,
        )
        .await
        .unwrap();
    let (we_care, _) = s
        .create_organization(&s.session_for(admin).unwrap(), "We Care", false)
        .await
        .unwrap();
    let (ccc_admin, _) = s
        .create_user(
            &s.session_for(admin).unwrap(),
            ccc,
            "ccc-admin",
            "CCC Admin",
            Role::AgencyAdmin,
        )
        .await
        .unwrap();
    let (cm, _) = s
        .create_user(
            &s.session_for(ccc_admin).unwrap(),
            ccc,
            "maria",
            "Maria Lopez",
            Role::CaseManager,
        )
        .await
        .unwrap();

    let head = s.head().position;
    let expect =
        |r: Result<_, caseledger_service::CommandError>, code: ErrorCode, field: Option<&str>| {
            let e = r.expect_err("must be rejected");
            assert_eq!((e.code, e.field.as_deref()), (code, field), "{e}");
        };
    expect(
        s.create_user(
            &s.session_for(ccc_admin).unwrap(),
            we_care,
            "x",
            "X",
            Role::CaseManager,
        )
        .await
        .map(|_| ()),
        ErrorCode::Forbidden,
        None,
    );
    expect(
        s.create_user(
            &s.session_for(ccc_admin).unwrap(),
            ccc,
            "boss",
            "Boss",
            Role::SystemAdmin,
        )
        .await
        .map(|_| ()),
        ErrorCode::Validation,
        Some("role"),
    );
    expect(
        s.create_user(
            &s.session_for(admin).unwrap(),
            ccc,
            "auditor",
            "A",
            Role::Auditor,
        )
        .await
        .map(|_| ()),
        ErrorCode::Validation,
        Some("role"),
    );
    expect(
        s.create_user(
            &s.session_for(ccc_admin).unwrap(),
            ccc,
            "MARIA",
            "Dup",
            Role::CaseManager,
        )
        .await
        .map(|_| ()),
        ErrorCode::Conflict,
        Some("username"),
    );
    expect(
        s.create_user(
            &s.session_for(ccc_admin).unwrap(),
            ccc,
            "two words",
            "T",
            Role::CaseManager,
        )
        .await
        .map(|_| ()),
        ErrorCode::Validation,
        Some("username"),
    );
    expect(
        s.create_user(
            &s.session_for(admin).unwrap(),
            OrganizationId::new(1),
            "n",
            "N",
            Role::CaseManager,
        )
        .await
        .map(|_| ()),
        ErrorCode::NotFound,
        Some("organizationId"),
    );
    expect(
        s.create_organization(&s.session_for(cm).unwrap(), "Mine", false)
            .await
            .map(|_| ()),
        ErrorCode::Forbidden,
        None,
    );
    expect(
        s.create_organization(&s.session_for(admin).unwrap(), "  ", false)
            .await
            .map(|_| ()),
        ErrorCode::Validation,
        Some("name"),
    );
    expect(
        s.issue_token(&s.session_for(cm).unwrap(), ccc_admin)
            .await
            .map(|_| ()),
        ErrorCode::Forbidden,
        None,
    );
    assert_eq!(s.head().position, head, "rejections wrote nothing");

    // The agency admin issues Maria a token; it works until revoked.
    let (token_id, token, _) = s
        .issue_token(&s.session_for(ccc_admin).unwrap(), cm)
        .await
        .unwrap();
    assert_eq!(s.authenticate(&token).unwrap().user(), cm);
    s.revoke_token(&s.session_for(cm).unwrap(), token_id)
        .await
        .unwrap();
    assert_eq!(
        s.authenticate(&token).unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    expect(
        s.revoke_token(&s.session_for(cm).unwrap(), token_id)
            .await
            .map(|_| ()),
        ErrorCode::Conflict,
        None,
    );

    // Deactivation stops every token of the user at once.
    let (_, second, _) = s
        .issue_token(&s.session_for(cm).unwrap(), cm)
        .await
        .unwrap();
    assert!(s.authenticate(&second).is_ok());
    expect(
        s.deactivate_user(&s.session_for(ccc_admin).unwrap(), ccc_admin)
            .await
            .map(|_| ()),
        ErrorCode::Validation,
        Some("userId"),
    );
    s.deactivate_user(&s.session_for(ccc_admin).unwrap(), cm)
        .await
        .unwrap();
    assert_eq!(
        s.authenticate(&second).unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    expect(
        s.issue_token(&s.session_for(ccc_admin).unwrap(), cm)
            .await
            .map(|_| ()),
        ErrorCode::Conflict,
        Some("userId"),
    );
    s.shutdown().await;
}
