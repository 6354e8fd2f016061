//! The node's view of the log's head: advanced by its own writer after each commit, and by
//! a follower of the commits of other nodes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use caseledger_log_store::{Head, LogError, Position};
use deadpool_postgres::Pool;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{Config, NoTls};

use crate::reads;
use crate::wire::sql_error;

/// How often the head follower reads the head row even without a notification (notifications
/// are not delivered while its connection is down).
const HEAD_POLL: Duration = Duration::from_secs(1);

/// What the writer, the head follower and the readers share.
pub(crate) struct Shared {
    pub(crate) head: Mutex<Head>,
    pub(crate) head_tx: watch::Sender<Position>,
}

impl Shared {
    pub(crate) fn head(&self) -> Head {
        *self.head.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the known head forward (never back: a follower's older read arriving late).
    pub(crate) fn advance(&self, head: Head) {
        let mut known = self.head.lock().unwrap_or_else(|e| e.into_inner());
        if head.position > known.position {
            *known = head;
            self.head_tx.send_replace(head.position);
        }
    }
}

/// Follows the head other nodes commit: woken by `NOTIFY caseledger_log` (sent by every
/// committing append), and reading the head row every [`HEAD_POLL`] besides.
pub(crate) async fn follow_head(config: Config, pool: Pool, shared: Arc<Shared>) {
    use futures_util::StreamExt;
    loop {
        let listening = async {
            let (client, mut connection) = config.connect(NoTls).await.map_err(sql_error)?;
            let (tx, mut notified) = mpsc::unbounded_channel();
            tokio::spawn(async move {
                let mut messages =
                    futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                while let Some(Ok(message)) = messages.next().await {
                    if let tokio_postgres::AsyncMessage::Notification(_) = message
                        && tx.send(()).is_err()
                    {
                        break;
                    }
                }
            });
            client
                .batch_execute("LISTEN caseledger_log")
                .await
                .map_err(sql_error)?;
            loop {
                let _ = tokio::time::timeout(HEAD_POLL, notified.recv()).await;
                if client.is_closed() {
                    return Err::<(), _>(LogError::Storage(
                        "the listening connection closed".into(),
                    ));
                }
                let head = reads::head(&client).await?;
                shared.advance(head);
            }
        };
        if let Err(e) = listening.await {
            tracing::debug!(error = %e, "following the PostgreSQL log's head; reconnecting");
            // Between connections, keep the head fresh through the pool if it answers.
            if let Ok(client) = pool.get().await
                && let Ok(head) = reads::head(&client).await
            {
                shared.advance(head);
            }
            tokio::time::sleep(HEAD_POLL).await;
        }
    }
}
