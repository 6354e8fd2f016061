//! `caseledger serve`.

use std::net::SocketAddr;

use anyhow::Context;
use caseledger_service::Service;

use crate::{DataArgs, Failure};

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Address to listen on, HOST:PORT (a host name or an IP address; port 0 picks a free
    /// port; the chosen address is printed). Bound before anything is opened or created.
    #[arg(long, env = "CASELEDGER_ADDR", default_value = "127.0.0.1:8080", value_parser = listen_address)]
    addr: String,
    /// A browser origin allowed to call the API (CORS), e.g. https://hmis.example.org;
    /// repeatable. None by default: browsers may call the API only from its own origin.
    #[arg(long = "cors-origin", env = "CASELEDGER_CORS_ORIGINS", value_delimiter = ',', value_parser = cors_origin)]
    cors_origins: Vec<String>,
    /// Development mode: GraphiQL at GET /graphql, introspection and field suggestions.
    #[arg(long, env = "CASELEDGER_DEV")]
    dev: bool,
    /// Evaluate the sharing rules on this fixed business date (YYYY-MM-DD) instead of the
    /// clock's: training sessions, replaying a past day, tests.
    #[arg(long, env = "CASELEDGER_TODAY")]
    today: Option<caseledger_core::Date>,
    /// Sign a checkpoint of the log head this many seconds apart (and at shutdown); 0: only on
    /// demand.
    #[arg(long, env = "CASELEDGER_CHECKPOINT_EVERY", default_value_t = 3600)]
    checkpoint_every: u64,
    /// Holidays (YYYY-MM-DD, comma-separated) skipped besides weekends when a client record
    /// request's due date is counted in business days.
    #[arg(long, env = "CASELEDGER_HOLIDAYS", value_delimiter = ',')]
    holidays: Vec<caseledger_core::Date>,
    #[command(flatten)]
    help_desk: crate::help_desk::HelpDeskArgs,
    /// On an empty data directory, load the demo CoC (MOU 0001 of the HPRP seed) and write
    /// every demo user's bearer token to DATA/demo-tokens.txt.
    #[arg(long, env = "CASELEDGER_DEMO")]
    demo: bool,
    /// Once a day, forget the identifiers of clients whose identifiers were last recorded or
    /// changed this many years ago and who have no open enrollment (HUD: 7); 0: never.
    #[arg(long, env = "CASELEDGER_RETENTION_YEARS", default_value_t = 7)]
    retention_years: u32,
    #[command(flatten)]
    sign_in: SignInArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Who may sign in, and with what.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Sign-in")]
struct SignInArgs {
    /// Days a new caseledger token (for integrations) works, and the most an issuer may ask
    /// for.
    #[arg(long, env = "CASELEDGER_TOKEN_DAYS", default_value_t = caseledger_service::DEFAULT_TOKEN_DAYS, value_parser = clap::value_parser!(u32).range(1..=i64::from(caseledger_service::MAX_TOKEN_DAYS)))]
    token_days: u32,
    /// The CoC's OpenID Connect provider, whose access tokens open sessions too: its issuer
    /// URL exactly as its discovery document states it (e.g.
    /// https://coc.okta.com/oauth2/default).
    #[arg(long, env = "CASELEDGER_OIDC_ISSUER", requires = "oidc_audience")]
    oidc_issuer: Option<String>,
    /// The audience the provider issues caseledger's access tokens for (`aud`).
    #[arg(long, env = "CASELEDGER_OIDC_AUDIENCE", requires = "oidc_issuer")]
    oidc_audience: Option<String>,
    /// The token claim whose value is the caseledger username; it must be one users cannot
    /// change themselves (Okta: `sub`; Azure AD / Entra ID: `preferred_username` or `upn`;
    /// Keycloak: `preferred_username`).
    #[arg(
        long,
        env = "CASELEDGER_OIDC_USERNAME_CLAIM",
        default_value = "preferred_username"
    )]
    oidc_username_claim: String,
    /// Seconds the provider's clock and this machine's may disagree when `exp` and `nbf` are
    /// checked.
    #[arg(long, env = "CASELEDGER_OIDC_CLOCK_SKEW", default_value_t = 60)]
    oidc_clock_skew: u64,
    /// The web dashboard's client id at the provider: a public client allowed the
    /// authorization code flow with PKCE, redirecting to this server's `/` (without it the
    /// dashboard offers no sign-in through the provider).
    #[arg(long, env = "CASELEDGER_OIDC_WEB_CLIENT_ID", requires = "oidc_issuer")]
    oidc_web_client_id: Option<String>,
    /// The scopes the web dashboard asks the provider for.
    #[arg(long, env = "CASELEDGER_OIDC_WEB_SCOPE", default_value = "openid")]
    oidc_web_scope: String,
    /// The resource indicator (RFC 8707) the web dashboard asks tokens for, when the provider
    /// issues caseledger's audience only on request.
    #[arg(long, env = "CASELEDGER_OIDC_WEB_RESOURCE")]
    oidc_web_resource: Option<String>,
}

impl SignInArgs {
    /// The web dashboard's sign-in through the provider, when it has a client id there.
    fn browser(&self) -> Option<caseledger_web::BrowserSignIn> {
        Some(caseledger_web::BrowserSignIn {
            issuer: self.oidc_issuer.clone()?,
            client_id: self.oidc_web_client_id.clone()?,
            scope: self.oidc_web_scope.clone(),
            resource: self.oidc_web_resource.clone(),
        })
    }

    /// The provider's verifier, when one is configured; a setting that cannot work is a usage
    /// error.
    fn verifier(&self) -> Result<Option<std::sync::Arc<caseledger_oidc::Verifier>>, Failure> {
        let (Some(issuer), Some(audience)) = (&self.oidc_issuer, &self.oidc_audience) else {
            return Ok(None);
        };
        let verifier = caseledger_oidc::Verifier::new(caseledger_oidc::OidcConfig {
            issuer: issuer.clone(),
            audience: audience.clone(),
            username_claim: self.oidc_username_claim.clone(),
            clock_skew: std::time::Duration::from_secs(self.oidc_clock_skew),
        })
        .map_err(Failure::usage)?;
        Ok(Some(std::sync::Arc::new(verifier)))
    }
}

/// What one client may cost the server.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Limits")]
struct LimitArgs {
    /// Seconds a client may take to send a complete request head, counted from when its
    /// connection opened or its previous answer was sent; kept-alive connections idle this
    /// long are closed.
    #[arg(long, env = "CASELEDGER_HEADER_READ_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    header_read_timeout: u64,
    /// Most connections open at once (lowered to fit under the open-file limit); more wait in
    /// the listen backlog.
    #[arg(long, env = "CASELEDGER_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: u64,
    /// Seconds one request may take, its body included; its work is then stopped and it is
    /// answered TIMEOUT.
    #[arg(long, env = "CASELEDGER_REQUEST_TIMEOUT", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: u64,
    /// Largest request body accepted, in bytes (larger: 413 PAYLOAD_TOO_LARGE).
    #[arg(long, env = "CASELEDGER_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    max_body_bytes: usize,
    /// Failed sign-ins one client address may make in a burst before it is answered 429.
    #[arg(long, env = "CASELEDGER_AUTH_FAILURE_BURST", default_value_t = 20)]
    auth_failure_burst: u32,
    /// Failed sign-ins per minute an address earns back.
    #[arg(
        long,
        env = "CASELEDGER_AUTH_FAILURES_PER_MINUTE",
        default_value_t = 30
    )]
    auth_failures_per_minute: u32,
    /// Failed sign-ins one token id may see in a burst, from any address.
    #[arg(long, env = "CASELEDGER_TOKEN_FAILURE_BURST", default_value_t = 5)]
    token_failure_burst: u32,
    /// Failed sign-ins per minute a token id earns back.
    #[arg(
        long,
        env = "CASELEDGER_TOKEN_FAILURES_PER_MINUTE",
        default_value_t = 6
    )]
    token_failures_per_minute: u32,
}

/// Opens the data directory and serves HTTP until Ctrl-C or SIGTERM.
pub fn run(args: ServeArgs) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let identity = args.sign_in.verifier()?;
        // Bound first: a port in use leaves nothing behind (no data directory, no master key).
        let listener = tokio::net::TcpListener::bind(args.addr.as_str())
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        // A directory never bootstrapped (a typo, a forgotten mount) is refused, not created
        // empty: nobody could sign in to it, yet it would report healthy.
        if !args.demo {
            args.data.require_log()?;
        }
        let mut config = args.data.service_config();
        config.retention_years = (args.retention_years > 0).then_some(args.retention_years);
        config.progress = replay_progress();
        config.today = args.today;
        config.holidays = args.holidays.clone();
        config.help_desk = args.help_desk.help_desk.clone();
        config.checkpoint_every = (args.checkpoint_every > 0)
            .then(|| std::time::Duration::from_secs(args.checkpoint_every));
        config.token_days = args.sign_in.token_days;
        config.identity = identity.clone();
        if let Some(identity) = &identity {
            // Reported now rather than at the first sign-in; the provider being down at start
            // is not fatal (its keys are fetched again at the first sign-in).
            match identity.prefetch().await {
                Ok(()) => tracing::info!(issuer = %identity.config().issuer, "sign-in through the identity provider"),
                Err(e) => tracing::warn!(error = %e, "the identity provider is not reachable yet"),
            }
        }
        let service = Service::open(&config)
            .with_context(|| format!("cannot open data directory {}", args.data.data.display()))?;
        if !args.demo && service.head().position == 0 {
            service.shutdown().await;
            return Err(args.data.no_log());
        }
        service.start();
        let demo = if args.demo {
            Some(load_demo(&service, &args.data.data).await?)
        } else {
            None
        };
        let shutdown = shutdown_signal()?;
        let local = listener.local_addr()?;
        println!("caseledger listening on http://{local}");
        if let Some(tokens) = demo {
            print_demo(&tokens, local);
        }
        tracing::info!(%local, "listening");
        let limits = &args.limits;
        // The one-click demo sign-in only where the demo's tokens are printed anyway: a demo
        // served in development mode.
        let demo_users = if args.demo && args.dev {
            demo_sign_ins(&args.data.data)?
        } else {
            Vec::new()
        };
        let api = caseledger_graphql::ApiConfig {
            web: caseledger_web::WebConfig {
                demo_users,
                identity: args.sign_in.browser(),
            },
            dev: args.dev,
            cors_origins: args.cors_origins.clone(),
            max_body_bytes: limits.max_body_bytes,
            timeout: std::time::Duration::from_secs(limits.request_timeout),
            throttle: caseledger_graphql::ThrottleConfig {
                address_burst: limits.auth_failure_burst,
                address_per_minute: limits.auth_failures_per_minute,
                token_burst: limits.token_failure_burst,
                token_per_minute: limits.token_failures_per_minute,
            },
        };
        let connections = caseledger_graphql::ConnectionLimits {
            header_read_timeout: std::time::Duration::from_secs(limits.header_read_timeout),
            max_connections: usize::try_from(limits.max_connections).unwrap_or(usize::MAX),
            ..Default::default()
        };
        let admin = crate::admin_socket::spawn(service.clone(), &args.data.data, crate::backup::answer);
        let app = caseledger_graphql::router(service.clone(), api);
        caseledger_graphql::serve(listener, app, connections, shutdown).await;
        if let Some(admin) = admin {
            admin.abort();
            crate::admin_socket::remove(&args.data.data);
        }
        service.shutdown().await;
        tracing::info!("stopped");
        Ok::<(), Failure>(())
    })
}

/// Loads the demo into an empty data directory and writes the tokens file (mode 0600); on a
/// directory that already holds a log, serves it as it is. Returns the tokens file's path.
async fn load_demo(
    service: &Service,
    data: &std::path::Path,
) -> Result<std::path::PathBuf, Failure> {
    let path = data.join("demo-tokens.txt");
    if service.head().position > 0 {
        tracing::warn!(path = %path.display(), "the data directory already holds a log: not loading the demo again");
        return Ok(path);
    }
    let started = std::time::Instant::now();
    let users = caseledger_fixtures::demo::load(service).await?;
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        file.write_all(caseledger_fixtures::demo::tokens_file(&users).as_bytes())?;
        file.sync_all()?;
    }
    tracing::info!(
        users = users.len(),
        position = service.head().position,
        ms = started.elapsed().as_millis() as u64,
        "demo loaded"
    );
    Ok(path)
}

/// Tells a newcomer where the tokens are and what to paste first.
/// The demo users of a demo data directory's tokens file, for the dashboard's one-click
/// sign-in.
fn demo_sign_ins(data: &std::path::Path) -> Result<Vec<caseledger_web::DemoUser>, Failure> {
    let path = data.join("demo-tokens.txt");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the demo's tokens in {}", path.display()))?;
    Ok(caseledger_fixtures::demo::parse_tokens_file(&text)
        .into_iter()
        .map(
            |(username, role, organization, token)| caseledger_web::DemoUser {
                username,
                role,
                organization,
                token,
            },
        )
        .collect())
}

fn print_demo(tokens: &std::path::Path, local: SocketAddr) {
    println!(
        "demo: every demo user's bearer token is in {}",
        tokens.display()
    );
    println!("demo: try, as CHSS's case manager (MOU 0001 lets CHSS see CCC's shared clients):");
    println!(
        "  curl -s http://{local}/graphql -H \"Authorization: Bearer $(awk -F'\\t' '$1==\"chss-cm\"{{print $4}}' {})\" -H 'Content-Type: application/json' -d '{{\"query\":\"{{ findClients(search: {{ name: \\\"lopez\\\" }}) {{ edges {{ node {{ id firstName lastName access {{ rule }} }} }} }} }}\"}}'",
        tokens.display()
    );
}

/// Registers for Ctrl-C and SIGTERM now, and returns the future that completes on either.
/// Registered before `serve` says it listens: a supervisor may stop it at once, and a signal
/// with no handler yet would kill the process instead of stopping it cleanly.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {},
            _ = interrupt.recv() => {},
        }
    })
}

/// `--addr`: HOST:PORT, the host a name or an IP address (IPv6 in brackets), the port a
/// number; resolved when bound.
fn listen_address(value: &str) -> Result<String, String> {
    let (host, port) = value
        .rsplit_once(':')
        .ok_or_else(|| format!("`{value}` is not HOST:PORT (e.g. localhost:8080)"))?;
    if host.is_empty() {
        return Err(format!("`{value}` names no host (e.g. 0.0.0.0:{port})"));
    }
    port.parse::<u16>()
        .map_err(|_| format!("`{port}` is not a port number (0 to 65535)"))?;
    Ok(value.to_string())
}

/// `--cors-origin`: an origin as browsers send it (scheme, host and optional port; no path).
fn cors_origin(value: &str) -> Result<String, String> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| format!("`{value}` is not an origin like https://hmis.example.org"))?;
    if rest.is_empty() || rest.contains('/') || rest.contains(char::is_whitespace) {
        return Err(format!(
            "`{value}` is not an origin like https://hmis.example.org (no path, no trailing slash)"
        ));
    }
    Ok(value.to_string())
}

/// A progress bar for the start-up replay of the log into the projections (on stderr, only
/// when there is something to replay).
fn replay_progress() -> caseledger_service::Progress {
    let bar = indicatif::ProgressBar::hidden();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "replaying log {bar:40} {pos}/{len} events ({per_sec}, eta {eta})",
        )
        .expect("template"),
    );
    std::sync::Arc::new(move |reached, head| {
        if bar.is_hidden() && reached < head {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        bar.set_length(head);
        bar.set_position(reached);
        if reached >= head {
            bar.finish_and_clear();
        }
    })
}
