//! The service handle shared by every interface.

use std::sync::Arc;

use std::sync::RwLock;

use caseledger_core::{Date, Envelope, Event, KeyRing};
use caseledger_log_store::{
    AppendRequest, EventLog, ExpectedVersion, Head, LogError, NewEvent, PendingAppend,
    RecordedEvent, SledLog, SledLogOptions, Subscription,
};
use caseledger_projections::{OrgView, Projections, ReplayError};
use tokio::sync::watch;

use crate::keys::KeyStore;
use crate::{ServiceConfig, ServiceError, Session, snapshots};

/// A decoded event with where the log put it.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// The log record (position, stream, version, id, raw bytes, chain hash).
    pub record: RecordedEvent,
    /// The decoded envelope.
    pub envelope: Envelope,
}

/// The running service: owns the log and the projections folded from it.
#[derive(Clone)]
pub struct Service {
    inner: Arc<Inner>,
}

struct Inner {
    log: Arc<dyn EventLog>,
    /// The clients' data keys: seals what is appended, opens what is read.
    keys: Arc<KeyStore>,
    /// The same store, as the key ring the encoder and decoder take.
    ring: Arc<dyn KeyRing>,
    projections: RwLock<Projections>,
    /// The last log position folded into the projections.
    projected: watch::Sender<u64>,
    /// A fixed business date (tests, replays of a past day), or `None` for the real clock.
    fixed_today: Option<Date>,
    data_dir: std::path::PathBuf,
    snapshot_every: u64,
    /// Position of the last snapshot written or loaded.
    snapshotted: std::sync::atomic::AtomicU64,
    /// Position the start-up snapshot restored (0: none).
    restored: u64,
    /// The log's head when the projector started (`u64::MAX` before): ready once the
    /// projections reach it.
    ready_at: std::sync::atomic::AtomicU64,
    /// Commands run one at a time on this node (the fast path of `decision.rs`).
    commands: tokio::sync::Mutex<()>,
    /// Held by pinned requests, taken by the fold (see `pin.rs`).
    gate: crate::gate::Gate,
    /// Holidays skipped when counting business days.
    holidays: Vec<Date>,
    /// Whom clients and agencies call about a record (printed on dashboards).
    help_desk: String,
    /// How often the head is signed (`None`: only on demand).
    checkpoint_every: Option<std::time::Duration>,
    /// The retention job's period in years (`None`: no job).
    retention_years: Option<u32>,
    /// Position of the last checkpoint signed by the schedule.
    checkpointed: std::sync::atomic::AtomicU64,
    /// Tells the background tasks to stop.
    stop: watch::Sender<bool>,
    /// The background tasks, awaited by [`Service::shutdown`].
    tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// When each of our own bearer tokens last opened a session.
    token_uses: crate::token_uses::TokenUses,
    /// How many days a new token of ours works unless its issuer asks for fewer.
    token_days: u32,
    /// The CoC's identity provider, when sign-in through it is configured.
    identity: Option<Arc<caseledger_oidc::Verifier>>,
    /// Where the master key is (a backup copies it only when asked).
    master_key_path: std::path::PathBuf,
}

impl Service {
    /// Opens the data directory (creating it when missing) and folds the whole log into the
    /// projections before returning. Refuses to start — before writing anything — when the
    /// master key is missing or wrong; and when the log's hash chain head does not match its
    /// last record, or a stored event cannot be decoded.
    pub fn open(config: &ServiceConfig) -> Result<Self, ServiceError> {
        // 0700 even when the operator made it beforehand: everything in it is client data.
        caseledger_log_store::private::create_dir(&config.data_dir).map_err(|e| {
            ServiceError::DataDir {
                path: config.data_dir.display().to_string(),
                reason: e.to_string(),
            }
        })?;
        // Before anything else is read or made: a directory of another format is refused.
        crate::format::open(&config.data_dir)?;
        let master_path = config
            .master_key_file
            .clone()
            .unwrap_or_else(|| crate::keys::master_key_path(&config.data_dir));
        let (mut keys, log): (KeyStore, Arc<dyn EventLog>) = match &config.shared_log {
            None => {
                let keys = KeyStore::open(&config.data_dir, &master_path)?;
                let options = SledLogOptions {
                    durability: config.durability,
                    ..SledLogOptions::default()
                };
                (keys, SledLog::open_with(&config.data_dir, options)?)
            }
            // Opening a shared log writes no event (it may create its tables), so it comes
            // first here: whether it holds events decides whether a key store must exist.
            Some(conninfo) => {
                let log = caseledger_log_postgres::PgLog::open(conninfo)?;
                let has_events = log.head().position > 0;
                let keys = KeyStore::open_shared(
                    &config.data_dir,
                    &master_path,
                    log.key_table(),
                    has_events,
                )?;
                (keys, log)
            }
        };
        if let Some(seed) = config.synthetic_key_seed {
            keys = keys.with_synthetic_seed(seed);
        }
        Self::open_on(config, log, Arc::new(keys))
    }

    /// Opens a service over a log and a key store that other service instances may share:
    /// each instance folds the log into its own projections and appends with the head it
    /// decided on as the expected head, so commands stay consistent whichever instance runs
    /// them (see `decision.rs`). [`Service::open`] is this over the data directory's own log.
    pub fn open_on(
        config: &ServiceConfig,
        log: Arc<dyn EventLog>,
        keys: Arc<KeyStore>,
    ) -> Result<Self, ServiceError> {
        caseledger_log_store::private::create_dir(&config.data_dir).map_err(|e| {
            ServiceError::DataDir {
                path: config.data_dir.display().to_string(),
                reason: e.to_string(),
            }
        })?;
        let ring: Arc<dyn KeyRing> = keys.clone();
        let head = log.head().position;
        tracing::info!(data = %config.data_dir.display(), head, "log opened");
        // Before anything is folded or written: a log that lost what its own snapshot or
        // checkpoints saw must not be served (or appended to, which would bury the loss).
        caseledger_log_store::check_anchors(
            &*log,
            &crate::integrity::anchors(&config.data_dir, crate::integrity::Scope::Latest),
        )?;
        let today = config
            .today
            .unwrap_or_else(|| Date::from_naive(chrono::Utc::now().date_naive()));
        let snapshot_key = keys.snapshot_key();
        let mut projections = match snapshots::load(&config.data_dir, &*log, today, &snapshot_key) {
            Ok(Some(p)) => {
                tracing::info!(
                    position = p.position(),
                    "projections restored from snapshot"
                );
                p
            }
            Ok(None) => Projections::new(today),
            // A snapshot without the position header (written before it existed) that the log
            // does not reach: the same refusal the anchors give.
            Err(snapshots::Skipped::BeyondLog { position }) => {
                return Err(ServiceError::Log(LogError::Cut {
                    head,
                    expected: position,
                    evidence: format!(
                        "the read-model snapshot {}",
                        snapshots::path(&config.data_dir).display()
                    ),
                }));
            }
            Err(snapshots::Skipped::Unusable(reason)) => {
                tracing::warn!(%reason, "ignoring the read-model snapshot; rebuilding from the log");
                Projections::new(today)
            }
        };
        projections.set_keys(ring.clone());
        projections.set_history(Arc::new(crate::log_history::LogHistory(log.clone())));
        let restored = projections.position();
        // Read and decode on one thread while folding on another.
        let mut from = restored + 1;
        let reader = log.clone();
        let batches = std::iter::from_fn(move || {
            if from > head {
                return None;
            }
            let batch = match reader.read_all(from, 8192) {
                Ok(b) => b,
                Err(e) => return Some(Err(e)),
            };
            let last = batch.last()?.position;
            from = last + 1;
            Some(Ok(batch
                .into_iter()
                .map(|r| (r.position, r.payload))
                .collect()))
        });
        let fetches = keys.fetch_mark();
        projections
            .fold_encoded(batches, &mut |reached| (config.progress)(reached, head))
            .map_err(|e| match e {
                ReplayError::Decode { position, source } => {
                    ServiceError::Decode { position, source }
                }
                ReplayError::Source(e) => ServiceError::Log(e),
            })?;
        // A value whose key could not be fetched would read as erased in every view.
        if let Some(e) = keys.fetch_failed_since(fetches) {
            return Err(e.into());
        }
        // A crash between recording that a client was forgotten and destroying the key leaves
        // the key behind: destroy it now, with the keys of the reasons stated in disclosure
        // records naming the client (read only for clients whose key is still there, so a
        // normal start reads nothing).
        let forgotten = projections.write_model().forgotten_clients();
        let unfinished: Vec<caseledger_core::ClientId> = forgotten
            .iter()
            .copied()
            .filter(|c| !keys.is_forgotten(*c))
            .collect();
        let mut owners: Vec<caseledger_core::pii::KeyOwner> =
            forgotten.into_iter().map(Into::into).collect();
        if !unfinished.is_empty() {
            let mut positions: Vec<u64> = unfinished
                .iter()
                .flat_map(|c| projections.write_model().disclosures_naming(*c).to_vec())
                .collect();
            positions.sort_unstable();
            positions.dedup();
            owners.extend(crate::disclosure_keys::disclosure_owners(
                &*log, &positions,
            )?);
        }
        keys.forget(&owners)?;
        let service = Service {
            inner: Arc::new(Inner {
                log,
                keys,
                ring,
                projected: watch::channel(projections.position()).0,
                projections: RwLock::new(projections),
                fixed_today: config.today,
                data_dir: config.data_dir.clone(),
                snapshot_every: config.snapshot_every.max(1),
                snapshotted: std::sync::atomic::AtomicU64::new(restored),
                restored,
                ready_at: std::sync::atomic::AtomicU64::new(u64::MAX),
                commands: tokio::sync::Mutex::new(()),
                gate: crate::gate::Gate::default(),
                checkpoint_every: config.checkpoint_every,
                holidays: config.holidays.clone(),
                help_desk: config.help_desk.clone(),
                retention_years: config.retention_years,
                checkpointed: std::sync::atomic::AtomicU64::new(0),
                stop: watch::channel(false).0,
                tasks: std::sync::Mutex::new(Vec::new()),
                token_uses: crate::token_uses::TokenUses::load(&config.data_dir),
                token_days: config.token_days.clamp(1, crate::config::MAX_TOKEN_DAYS),
                identity: config.identity.clone(),
                master_key_path: config
                    .master_key_file
                    .clone()
                    .unwrap_or_else(|| crate::keys::master_key_path(&config.data_dir)),
            }),
        };
        service.advance_clock();
        tracing::info!(
            position = service.projected_position(),
            "projections caught up"
        );
        Ok(service)
    }

    /// Starts the background work on the current tokio runtime: the projector, which folds
    /// every newly durable event into the projections in log order, and the clock, which moves
    /// the views to the next business date at midnight in the policy's time zone.
    pub fn start(&self) {
        self.inner.keys.hold_while_serving();
        self.inner
            .ready_at
            .store(self.head().position, std::sync::atomic::Ordering::Relaxed);
        let service = self.clone();
        let mut stop = self.inner.stop.subscribe();
        let projector = tokio::spawn(async move {
            let from = service.projected_position() + 1;
            let mut subscription = Subscription::new(service.inner.log.clone(), from);
            loop {
                let first = tokio::select! {
                    next = subscription.next() => match next {
                        Ok(e) => e,
                        Err(LogError::Closed) => return,
                        Err(e) => {
                            tracing::error!(error = %e, "projector stopped: cannot read the log");
                            return;
                        }
                    },
                    _ = stop.wait_for(|s| *s) => return,
                };
                // Fold whatever else is already durable under one write lock.
                let mut batch = vec![first];
                match subscription.poll_batch(4096) {
                    Ok(more) => batch.extend(more),
                    Err(e) => tracing::warn!(error = %e, "projector read failed; retrying"),
                }
                loop {
                    match service.inner.gate.exclusive(|| service.fold(&batch)).await {
                        Ok(()) => break,
                        // A key the shared store could not give: the batch is folded again.
                        Err(ServiceError::Keys(e)) => {
                            tracing::warn!(error = %e, "projector waiting for the key store");
                            tokio::select! {
                                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                                _ = stop.wait_for(|s| *s) => return,
                            }
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "projector stopped: undecodable event");
                            return;
                        }
                    }
                }
            }
        });
        let service = self.clone();
        let mut stop = self.inner.stop.subscribe();
        let clock = tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
            loop {
                let stopped = tokio::select! {
                    _ = tick.tick() => false,
                    _ = stop.wait_for(|s| *s) => true,
                };
                if stopped {
                    return;
                }
                // A new business date changes what views answer: not under a pinned request.
                service
                    .inner
                    .gate
                    .exclusive(|| service.advance_clock())
                    .await;
                service.inner.token_uses.save();
            }
        });
        let mut tasks = vec![projector, clock];
        if let Some(every) = self.inner.checkpoint_every {
            let service = self.clone();
            let mut stop = self.inner.stop.subscribe();
            tasks.push(tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.tick().await; // the first tick is immediate; sign after a full period
                loop {
                    tokio::select! {
                        _ = tick.tick() => service.scheduled_checkpoint(),
                        _ = stop.wait_for(|s| *s) => return,
                    }
                }
            }));
        }
        if let Some(years) = self.inner.retention_years {
            let service = self.clone();
            let mut stop = self.inner.stop.subscribe();
            tasks.push(tokio::spawn(async move {
                // A minute after start (not during it), then daily.
                let day = std::time::Duration::from_secs(24 * 3600);
                let start = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
                let mut tick = tokio::time::interval_at(start, day);
                loop {
                    let stopped = tokio::select! {
                        _ = tick.tick() => false,
                        _ = stop.wait_for(|s| *s) => true,
                    };
                    if stopped {
                        return;
                    }
                    match service.run_retention(years, false).await {
                        Ok(r) => tracing::info!(cutoff = %r.cutoff, forgotten = r.due.len(), "retention job ran"),
                        Err(e) => tracing::error!(error = %e, "retention job failed"),
                    }
                }
            }));
        }
        self.inner.tasks.lock().expect("tasks lock").extend(tasks);
    }

    /// Stops the background tasks and the log writer (after the queued appends), releasing the
    /// data directory once every handle to this service is dropped.
    pub async fn shutdown(&self) {
        self.inner.stop.send_replace(true);
        let tasks: Vec<_> = self
            .inner
            .tasks
            .lock()
            .expect("tasks lock")
            .drain(..)
            .collect();
        for task in tasks {
            let _ = task.await;
        }
        self.save_snapshot();
        self.inner.token_uses.save();
        if self.inner.checkpoint_every.is_some() {
            self.scheduled_checkpoint();
        }
        self.inner.keys.release();
        self.inner.log.close();
    }

    /// Signs a checkpoint of the head unless the last one already covers it; failures are
    /// logged (a missed checkpoint loses no data).
    fn scheduled_checkpoint(&self) {
        let head = self.head().position;
        let last = self
            .inner
            .checkpointed
            .load(std::sync::atomic::Ordering::Relaxed);
        if head == 0 || head == last {
            return;
        }
        match self.checkpoint() {
            Ok((c, _)) => self
                .inner
                .checkpointed
                .store(c.position, std::sync::atomic::Ordering::Relaxed),
            Err(e) => tracing::warn!(error = %e, "checkpoint not signed"),
        }
    }

    fn fold(&self, records: &[RecordedEvent]) -> Result<(), ServiceError> {
        // Records keep their events as stored (identifiers sealed), cut from the log's bytes.
        let keeps = self
            .inner
            .projections
            .read()
            .expect("projections lock")
            .keeps_events();
        let fetches = self.inner.keys.fetch_mark();
        let decoded: Vec<(u64, Envelope, Option<Vec<u8>>)> = records
            .iter()
            .map(|record| {
                let decode = || {
                    if keeps {
                        caseledger_core::decode_with_event_bytes(&record.payload)
                            .map(|(e, compact)| (e, Some(compact)))
                    } else {
                        caseledger_core::decode(&record.payload).map(|e| (e, None))
                    }
                };
                let opens = caseledger_core::decode_prefix(&record.payload)
                    .is_ok_and(|(t, _)| caseledger_projections::folds_identifiers(t));
                if opens {
                    caseledger_core::pii::opening(&self.inner.ring, decode)
                } else {
                    decode()
                }
                .map(|(envelope, compact)| (record.position, envelope, compact))
                .map_err(|source| ServiceError::Decode {
                    position: record.position,
                    source,
                })
            })
            .collect::<Result<_, _>>()?;
        // Folded with a value read as erased for want of its key, the views would show it so.
        if let Some(e) = self.inner.keys.fetch_failed_since(fetches) {
            return Err(e.into());
        }
        // Clients another node forgot: this node's copies of their keys go too.
        let forgotten: Vec<caseledger_core::ClientId> = decoded
            .iter()
            .filter_map(|(_, envelope, _)| match &envelope.event {
                Event::ClientIdentifiersForgotten(e) => Some(e.client_id),
                _ => None,
            })
            .collect();
        let mut p = self.inner.projections.write().expect("projections lock");
        for (position, envelope, compact) in decoded {
            let header = envelope.header();
            p.apply_owned(position, &header, envelope.event, compact);
        }
        self.inner.keys.evict_forgotten(&forgotten);
        let position = p.position();
        drop(p);
        self.inner.projected.send_replace(position);
        let since = position
            - self
                .inner
                .snapshotted
                .load(std::sync::atomic::Ordering::Relaxed);
        if since >= self.inner.snapshot_every {
            self.save_snapshot();
        }
        Ok(())
    }

    /// Writes a snapshot of the projections now (also done every `snapshot_every` events and at
    /// shutdown). A failure is logged, not fatal: snapshots only make restarts faster.
    pub fn save_snapshot(&self) {
        self.try_save_snapshot();
    }

    /// Writes a snapshot now, and when that fails removes the old one: after forgetting, no
    /// snapshot may keep the erased values (a missing snapshot only means a longer start).
    pub(crate) fn replace_snapshot(&self) {
        if !self.try_save_snapshot() {
            let path = snapshots::path(&self.inner.data_dir);
            if let Err(e) = std::fs::remove_file(&path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::error!(error = %e, path = %path.display(), "stale snapshot not removed");
            }
        }
    }

    fn try_save_snapshot(&self) -> bool {
        let (body, position) = {
            let p = self.inner.projections.read().expect("projections lock");
            (p.snapshot(), p.position())
        };
        let result = body.map_err(|e| e.to_string()).and_then(|body| {
            let hash = match self
                .inner
                .log
                .read_all(position, 1)
                .map_err(|e| e.to_string())?
                .first()
            {
                Some(r) if r.position == position => r.hash,
                _ if position == 0 => caseledger_log_store::GENESIS_HASH,
                _ => return Err(format!("position {position} is not in the log")),
            };
            snapshots::save(
                &self.inner.data_dir,
                body,
                position,
                &hash,
                &self.inner.keys.snapshot_key(),
            )
            .map_err(|e| e.to_string())
        });
        match result {
            Ok(()) => {
                self.inner
                    .snapshotted
                    .store(position, std::sync::atomic::Ordering::Relaxed);
                tracing::info!(position, "read-model snapshot saved");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, position, "read-model snapshot not saved");
                false
            }
        }
    }

    /// The position the start-up snapshot restored the projections to (0 when there was none).
    pub fn restored_from_snapshot(&self) -> u64 {
        self.inner.restored
    }

    /// Sets the projections' business date from the clock (or the fixed date), in the time zone
    /// of the policy in force.
    pub fn advance_clock(&self) {
        let today = match self.inner.fixed_today {
            Some(d) => d,
            None => {
                let p = self.inner.projections.read().expect("projections lock");
                let zone = p.policy_time_zone();
                drop(p);
                crate::clock::today_in(&zone, chrono::Utc::now())
            }
        };
        let mut p = self.inner.projections.write().expect("projections lock");
        if p.today() != today {
            tracing::info!(%today, "business date advanced");
            p.set_today(today);
        }
    }

    /// Where the log and the projections stand, for readiness checks and metrics.
    pub fn vitals(&self) -> Vitals {
        let head = self.head().position;
        let projected = self.projected_position();
        let ready_at = self
            .inner
            .ready_at
            .load(std::sync::atomic::Ordering::Relaxed);
        let snapshot_age = std::fs::metadata(snapshots::path(&self.inner.data_dir))
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| at.elapsed().ok());
        Vitals {
            head,
            projected,
            ready: projected >= ready_at,
            snapshot_position: self
                .inner
                .snapshotted
                .load(std::sync::atomic::Ordering::Relaxed),
            snapshot_age,
        }
    }

    /// The log's durable head.
    pub fn head(&self) -> Head {
        self.inner.log.head()
    }

    /// The last log position the projections reflect.
    pub fn projected_position(&self) -> u64 {
        *self.inner.projected.borrow()
    }

    /// Waits until the projections reflect `position` (read your own writes), at most
    /// `timeout`.
    pub async fn wait_for(
        &self,
        position: u64,
        timeout: std::time::Duration,
    ) -> Result<(), ServiceError> {
        let mut rx = self.inner.projected.subscribe();
        match tokio::time::timeout(timeout, rx.wait_for(|p| *p >= position)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) | Err(_) => Err(ServiceError::NotYetVisible {
                wanted: position,
                reached: self.projected_position(),
                waited_ms: timeout.as_millis() as u64,
            }),
        }
    }

    /// The lock that makes commands run one at a time.
    pub(crate) fn master_key_path(&self) -> &std::path::Path {
        &self.inner.master_key_path
    }

    pub(crate) fn token_uses(&self) -> &crate::token_uses::TokenUses {
        &self.inner.token_uses
    }

    /// How many days a new token of ours works at most (and by default).
    pub fn token_days(&self) -> u32 {
        self.inner.token_days
    }

    pub(crate) fn identity(&self) -> Option<&caseledger_oidc::Verifier> {
        self.inner.identity.as_deref()
    }

    pub(crate) fn commands(&self) -> &tokio::sync::Mutex<()> {
        &self.inner.commands
    }

    /// The fold gate pinned requests share.
    pub(crate) fn gate(&self) -> &crate::gate::Gate {
        &self.inner.gate
    }

    /// Runs `f` over the current projections (for the command processor in this crate).
    pub(crate) fn with_projections<R>(&self, f: impl FnOnce(&Projections) -> R) -> R {
        let p = self.inner.projections.read().expect("projections lock");
        f(&p)
    }

    /// Runs `f` over the current projections with readers held off, for changes that no view
    /// can tell (making room before a batch is folded); folding itself is the projector's.
    pub(crate) fn with_projections_mut<R>(&self, f: impl FnOnce(&mut Projections) -> R) -> R {
        let mut p = self.inner.projections.write().expect("projections lock");
        f(&mut p)
    }

    /// Runs `f` with the session's view over the current projections.
    pub fn read<R>(&self, session: &Session, f: impl FnOnce(&OrgView<'_>) -> R) -> R {
        let p = self.inner.projections.read().expect("projections lock");
        f(&p.org_view(session.viewer()))
    }

    /// Runs `f` with the session's export view: its view of client data and the directory an
    /// HMIS CSV export names records by (see [`caseledger_projections::ExportView`]).
    pub fn read_export<R>(
        &self,
        session: &Session,
        f: impl FnOnce(&caseledger_projections::ExportView<'_>) -> R,
    ) -> R {
        let p = self.inner.projections.read().expect("projections lock");
        f(&p.export_view(session.viewer()))
    }

    /// The bytes each part of the read models takes in a snapshot, largest first (see
    /// [`Projections::footprint`]); for the benchmarks and operators sizing a machine.
    pub fn projection_footprint(&self) -> Vec<(&'static str, usize)> {
        self.inner
            .projections
            .read()
            .expect("projections lock")
            .footprint()
    }

    /// Runs `f` over the programs, MOUs and facilities (no client data).
    pub fn catalog<R>(&self, f: impl FnOnce(&caseledger_projections::Catalog) -> R) -> R {
        let p = self.inner.projections.read().expect("projections lock");
        f(p.catalog())
    }

    /// The IANA time zone of the policy in force today, in which business dates turn and HUD's
    /// CSV timestamps are written.
    pub fn time_zone(&self) -> String {
        self.inner
            .projections
            .read()
            .expect("projections lock")
            .policy_time_zone()
    }

    /// The business date the views are evaluated on.
    pub fn today(&self) -> Date {
        self.inner
            .projections
            .read()
            .expect("projections lock")
            .today()
    }

    /// The instant an event appended now is recorded at: the clock, or under a fixed business
    /// date that date at the clock's time of day (see [`crate::clock::recording_time`]).
    pub fn now(&self) -> caseledger_core::Timestamp {
        let zone = self
            .inner
            .fixed_today
            .map(|_| {
                self.inner
                    .projections
                    .read()
                    .expect("projections lock")
                    .policy_time_zone()
            })
            .unwrap_or_default();
        crate::clock::recording_time(&zone, self.inner.fixed_today, chrono::Utc::now())
    }

    /// Holidays skipped when counting business days.
    pub fn holidays(&self) -> &[Date] {
        &self.inner.holidays
    }

    /// Whom clients and agencies call about a client record: the CoC's HMIS help desk.
    pub fn help_desk(&self) -> &str {
        &self.inner.help_desk
    }

    /// The data directory.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.inner.data_dir
    }

    /// The log, for operator tools.
    pub fn log(&self) -> Arc<dyn EventLog> {
        self.inner.log.clone()
    }

    /// Appends envelopes atomically, each to its own stream with no version check, and waits
    /// until they are durable. Returns the position of each. Retrying with the same event ids is
    /// a no-op that returns the original positions.
    ///
    /// No command decides these events: only generators of synthetic histories and tests may
    /// write this way, so it exists only with the `raw-append` feature, which the production
    /// binary does not enable (`tests/tests/production_binary.rs`).
    #[cfg(feature = "raw-append")]
    pub async fn append(&self, envelopes: &[Envelope]) -> Result<Vec<u64>, ServiceError> {
        self.append_at(envelopes, None).await
    }

    /// [`Service::append`], accepted only while the log's head is at `at` when given.
    pub(crate) async fn append_at(
        &self,
        envelopes: &[Envelope],
        at: Option<u64>,
    ) -> Result<Vec<u64>, ServiceError> {
        let request = self.prepare_append(envelopes, at)?;
        Ok(self.inner.log.append(request).await?.positions)
    }

    /// The log's append of `envelopes` (sealed, encoded, grouped by stream) expecting the head
    /// `at`, not yet queued: a batch builds its next append while the log writes the one before
    /// (see [`Service::append_at`]).
    pub(crate) fn prepare_append(
        &self,
        envelopes: &[Envelope],
        at: Option<u64>,
    ) -> Result<AppendRequest, ServiceError> {
        let new_clients: Vec<caseledger_core::ClientId> = envelopes
            .iter()
            .filter(|e| matches!(e.event, caseledger_core::Event::ClientIntakeRecorded(_)))
            .filter_map(|e| e.event.client())
            .collect();
        if new_clients.len() > 1 {
            self.inner.keys.create_keys(&new_clients)?;
        }
        let mut request = AppendRequest::default();
        for envelope in envelopes {
            let payload = envelope
                .encode_sealed(&self.inner.ring)
                .map_err(|e| match e {
                    caseledger_core::SealedEncodeError::Seal(e) => ServiceError::Seal(e),
                    e => ServiceError::Encode(e.to_string()),
                })?;
            let stream = envelope.stream().to_string();
            let event = NewEvent {
                id: envelope.event_id.as_u128(),
                payload,
            };
            match request.parts.last_mut() {
                Some(part) if part.stream == stream => part.events.push(event),
                _ => request = request.and(stream, ExpectedVersion::Any, vec![event]),
            }
        }
        request.expected_head = at;
        Ok(request)
    }

    /// Queues a prepared append on the log; it is durable once the returned value resolves.
    pub(crate) fn queue_append(&self, request: AppendRequest) -> PendingAppend {
        self.inner.log.append(request)
    }

    /// Reads and decodes up to `limit` events from position `from` on.
    pub fn read_log(&self, from: u64, limit: usize) -> Result<Vec<StoredEvent>, ServiceError> {
        self.inner
            .log
            .read_all(from, limit)?
            .into_iter()
            .map(|r| self.decode_stored(r))
            .collect()
    }

    /// Reads and decodes the events at `positions`, in that order.
    pub fn read_log_at(&self, positions: &[u64]) -> Result<Vec<StoredEvent>, ServiceError> {
        self.inner
            .log
            .read_positions(positions)?
            .into_iter()
            .map(|r| self.decode_stored(r))
            .collect()
    }

    /// Decodes a log record into a [`StoredEvent`], opening its identifying values (erased
    /// where the client was forgotten).
    pub fn decode_stored(&self, record: RecordedEvent) -> Result<StoredEvent, ServiceError> {
        let fetches = self.inner.keys.fetch_mark();
        let envelope =
            Envelope::decode_opened(&record.payload, &self.inner.ring).map_err(|source| {
                ServiceError::Decode {
                    position: record.position,
                    source,
                }
            })?;
        // An answer must not show a value as erased because the key store was unreachable.
        if let Some(e) = self.inner.keys.fetch_failed_since(fetches) {
            return Err(e.into());
        }
        Ok(StoredEvent { record, envelope })
    }

    /// The key store (forgetting, rotation, counts).
    pub(crate) fn keys(&self) -> &KeyStore {
        &self.inner.keys
    }

    /// Re-wraps every client key under a new master key written to `master_path` (the file
    /// the service was opened with), and rewrites the snapshot under the new key. The log is
    /// not touched. Returns the new key's fingerprint.
    pub fn rotate_master_key(&self, master_path: &std::path::Path) -> Result<String, ServiceError> {
        let fingerprint = self.inner.keys.rotate(master_path)?;
        self.replace_snapshot();
        Ok(fingerprint)
    }

    /// The master key's fingerprint, and how many clients have a data key and how many were
    /// forgotten.
    pub fn key_status(&self) -> (String, usize, usize) {
        let (live, forgotten) = self.inner.keys.counts();
        (self.inner.keys.fingerprint(), live, forgotten)
    }

    /// Stops the log writer after the queued appends.
    pub fn close(&self) {
        self.inner.log.close();
    }
}

/// Where a running service stands ([`Service::vitals`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vitals {
    /// The log's durable head.
    pub head: u64,
    /// The last position the projections reflect.
    pub projected: u64,
    /// Whether the projector has started and caught up with the head it found at start.
    pub ready: bool,
    /// The position of the last snapshot written or loaded.
    pub snapshot_position: u64,
    /// How long ago the snapshot file was written, when there is one.
    pub snapshot_age: Option<std::time::Duration>,
}
