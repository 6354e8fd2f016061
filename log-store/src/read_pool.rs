//! Threads that run the log's synchronous reads for async callers, below the writer's
//! scheduling priority.
//!
//! The log's reads ([`crate::EventLog::read_stream`] and the others) are synchronous: a file
//! read and an index lookup. Called on an async worker they hold that worker, and called
//! through `spawn_blocking` every concurrent read gets a thread of its own at the writer's
//! priority: on a small machine, readers that never pause then take the CPU the writer thread
//! and the appending tasks need, and durable writes fall to a third of their rate
//! (BENCHMARKS.md, "Reads beside writes"). A [`ReadPool`] runs reads on a fixed number of
//! threads whose nice value is raised, so reads use the CPU the writes leave over: the kernel
//! gives a niced thread a small share when the writer wants the same core, and all of it
//! otherwise.

use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// How much the readers' nice value is raised above the process's (Linux nice: 10 gives a
/// thread about a tenth of the weight of one at 0 when both want a core).
pub const READER_NICE: i32 = 10;

/// Reads queued per reader thread before [`ReadPool::run`] waits for room: a bound, so a
/// burst of readers queues in the callers' tasks rather than without limit in the pool.
const QUEUED_PER_THREAD: usize = 64;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of low-priority threads running synchronous reads, answered asynchronously.
/// Dropping the pool lets its threads finish what is queued and exit.
pub struct ReadPool {
    jobs: SyncSender<Job>,
}

/// Why a read run on the pool gave no answer.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadPoolError {
    /// The pool's threads are gone (the process is shutting down).
    #[error("the log's read threads are gone")]
    Closed,
    /// The read panicked; the thread that ran it goes on serving.
    #[error("a read of the log panicked")]
    Panicked,
}

impl ReadPool {
    /// Starts `threads` reader threads (at least one), each lowering its own priority by
    /// [`READER_NICE`]. A system that refuses the lower priority still gets the threads,
    /// with a warning.
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let threads = threads.max(1);
        let (jobs, rx) = mpsc::sync_channel::<Job>(threads * QUEUED_PER_THREAD);
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..threads {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("caseledger-log-reader-{n}"))
                .spawn(move || serve(&rx))?;
        }
        Ok(ReadPool { jobs })
    }

    /// A pool with one thread per core the process may use.
    pub fn per_core() -> std::io::Result<Self> {
        Self::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// Runs `read` on a reader thread and answers what it returned. Waits (without holding
    /// an async worker) while the pool's queue is full.
    pub async fn run<T, F>(&self, read: F) -> Result<T, ReadPoolError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let mut job: Job = Box::new(move || {
            let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
            let _ = tx.send(answer.map_err(|_| ReadPoolError::Panicked));
        });
        loop {
            match self.jobs.try_send(job) {
                Ok(()) => break,
                Err(mpsc::TrySendError::Full(back)) => {
                    job = back;
                    // Full means every reader is busy: give the runtime back, not a spin.
                    tokio::time::sleep(std::time::Duration::from_micros(200)).await;
                }
                Err(mpsc::TrySendError::Disconnected(_)) => return Err(ReadPoolError::Closed),
            }
        }
        rx.await.map_err(|_| ReadPoolError::Closed)?
    }
}

/// One reader thread: lowers its priority, then runs queued reads until the pool is dropped.
fn serve(rx: &Mutex<Receiver<Job>>) {
    lower_priority();
    loop {
        // The lock is held only to take a job, never while running one.
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// Raises this thread's nice value by [`READER_NICE`] (on Linux a thread has its own).
fn lower_priority() {
    let tid = rustix::thread::gettid();
    let current = rustix::process::getpriority_process(Some(tid)).unwrap_or(0);
    if let Err(e) = rustix::process::setpriority_process(Some(tid), current + READER_NICE) {
        tracing::warn!(error = %e, "a log reader thread keeps the writer's priority");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_reads_and_answers_each_its_own() {
        let pool = ReadPool::new(2).unwrap();
        let answers: Vec<_> = (0..200u64).map(|i| pool.run(move || i * 2)).collect();
        let mut got = Vec::new();
        for answer in answers {
            got.push(answer.await.unwrap());
        }
        assert_eq!(got, (0..200u64).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn readers_run_below_the_callers_priority() {
        let pool = ReadPool::new(1).unwrap();
        let mine = rustix::process::getpriority_process(None).unwrap();
        let theirs = pool
            .run(|| rustix::process::getpriority_process(Some(rustix::thread::gettid())))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(theirs, (mine + READER_NICE).min(19));
    }

    #[tokio::test]
    async fn a_read_that_panics_is_an_error_and_the_thread_serves_on() {
        let pool = ReadPool::new(1).unwrap();
        let panicked = pool.run(|| -> u32 { panic!("a broken read") }).await;
        assert_eq!(panicked, Err(ReadPoolError::Panicked));
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }
}
