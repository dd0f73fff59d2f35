//! Bounds on connections, so that clients that open connections and send nothing (or a
//! header a byte at a time) cannot exhaust the process's file descriptors and lock
//! everyone else out:
//!
//! - a connection waiting for a request is closed after `idle_timeout` without one, and a
//!   request's header must arrive whole within `header_timeout` of its first byte;
//! - at most `max_connections` are open (never more than the descriptor limit allows);
//!   when a new one arrives at the limit, the connection idle the longest is closed to
//!   make room, so `/health` answers however many idle connections are held open.
//!
//! Written here because `axum::serve` exposes none of hyper's connection settings, and no
//! crate closes idle connections to admit new ones: each connection's socket is wrapped
//! ([`Tracked`]), and [`track_requests`] marks when it is serving a request.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

use crate::parse_errors::PeerAddr;

/// Descriptors kept free for the database, files and the rest of the process.
const RESERVED_DESCRIPTORS: u64 = 64;

/// How the server bounds its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections open at once (lowered to what the descriptor limit allows).
    pub max_connections: usize,
    /// How long a connection may wait for its next request.
    pub idle_timeout: Duration,
    /// How long a request's header may take to arrive, from its first byte.
    pub header_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 1024,
            idle_timeout: Duration::from_secs(60),
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// The open connections of one server.
#[derive(Debug)]
pub struct Connections {
    limits: ConnectionLimits,
    slots: Arc<Semaphore>,
    open: Mutex<HashMap<u64, Weak<Conn>>>,
    next_id: AtomicU64,
    epoch: Instant,
}

/// One connection's state, shared by its socket and the requests it carries.
#[derive(Debug)]
pub struct Conn {
    id: u64,
    /// Milliseconds since the epoch of the last byte read or written.
    active_ms: AtomicU64,
    /// Milliseconds since the epoch of the first byte of the request being read, or
    /// `u64::MAX` while none has arrived.
    header_since_ms: AtomicU64,
    in_flight: AtomicUsize,
    closing: AtomicBool,
    /// Wakes the socket's reader to close it or to re-arm its timer.
    reader: AtomicWaker,
}

impl Connections {
    /// Bounds for a server; the limit is lowered to what the descriptor limit allows.
    pub fn new(limits: ConnectionLimits) -> Arc<Connections> {
        let max = limits.max_connections.min(descriptor_budget()).max(1);
        if max < limits.max_connections {
            tracing::warn!(
                max_connections = max,
                "the open-file limit allows fewer connections than asked for; raise it with \
                 `ulimit -n` to serve more"
            );
        }
        Arc::new(Connections {
            limits: ConnectionLimits {
                max_connections: max,
                ..limits
            },
            slots: Arc::new(Semaphore::new(max)),
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            epoch: Instant::now(),
        })
    }

    /// The limits in force.
    pub fn limits(&self) -> ConnectionLimits {
        self.limits
    }

    /// A slot for a connection just accepted: at the limit, the connection idle the
    /// longest is closed and its slot taken (if every connection is busy, this waits for
    /// one to end).
    pub async fn admit(&self) -> OwnedSemaphorePermit {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return permit;
        }
        loop {
            self.close_idlest();
            tokio::select! {
                permit = self.slots.clone().acquire_owned() => {
                    return permit.expect("the semaphore is never closed");
                }
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
    }

    /// Wraps an accepted socket.
    pub fn track<T>(self: &Arc<Self>, inner: T, permit: OwnedSemaphorePermit) -> Tracked<T> {
        let now = self.now_ms();
        let conn = Arc::new(Conn {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            active_ms: AtomicU64::new(now),
            header_since_ms: AtomicU64::new(u64::MAX),
            in_flight: AtomicUsize::new(0),
            closing: AtomicBool::new(false),
            reader: AtomicWaker::new(),
        });
        lock(&self.open).insert(conn.id, Arc::downgrade(&conn));
        Tracked {
            inner,
            conn,
            connections: self.clone(),
            timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
            _permit: permit,
        }
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn at(&self, ms: u64) -> Instant {
        self.epoch + Duration::from_millis(ms)
    }

    /// Closes the connection that has waited longest for a request, if any waits.
    fn close_idlest(&self) {
        let idlest = lock(&self.open)
            .values()
            .filter_map(Weak::upgrade)
            .filter(|c| {
                c.in_flight.load(Ordering::Acquire) == 0 && !c.closing.load(Ordering::Acquire)
            })
            .min_by_key(|c| c.active_ms.load(Ordering::Relaxed));
        if let Some(conn) = idlest {
            conn.close();
        }
    }
}

impl Conn {
    fn close(&self) {
        self.closing.store(true, Ordering::Release);
        self.reader.wake();
    }
}

/// A socket whose connection ends when idle too long, when its header is too slow, or
/// when a new connection needs its slot (see the module).
pub struct Tracked<T> {
    inner: T,
    conn: Arc<Conn>,
    connections: Arc<Connections>,
    timer: Pin<Box<Sleep>>,
    _permit: OwnedSemaphorePermit,
}

impl<T> Tracked<T> {
    /// The connection's shared state, for the requests it carries.
    pub fn conn(&self) -> Arc<Conn> {
        self.conn.clone()
    }
}

impl<T> Tracked<T> {
    /// Bytes written count as activity: a long answer keeps its connection alive.
    fn note_written(&self, written: &Poll<io::Result<usize>>) {
        if matches!(written, Poll::Ready(Ok(n)) if *n > 0) {
            let now = self.connections.now_ms();
            self.conn.active_ms.store(now, Ordering::Relaxed);
        }
    }
}

impl<T> Drop for Tracked<T> {
    fn drop(&mut self) {
        lock(&self.connections.open).remove(&self.conn.id);
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Tracked<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        // End of stream: hyper closes the connection.
        if this.conn.closing.load(Ordering::Acquire) {
            return Poll::Ready(Ok(()));
        }
        this.conn.reader.register(cx.waker());
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    let now = this.connections.now_ms();
                    this.conn.active_ms.store(now, Ordering::Relaxed);
                    if this.conn.in_flight.load(Ordering::Acquire) == 0 {
                        // The first byte of the next request starts its header's clock.
                        let _ = this.conn.header_since_ms.compare_exchange(
                            u64::MAX,
                            now,
                            Ordering::AcqRel,
                            Ordering::Relaxed,
                        );
                    }
                }
                return Poll::Ready(Ok(()));
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => {}
        }
        if this.conn.in_flight.load(Ordering::Acquire) > 0 {
            return Poll::Pending;
        }
        let limits = this.connections.limits;
        let header_since = this.conn.header_since_ms.load(Ordering::Acquire);
        let deadline = if header_since == u64::MAX {
            // Waiting since the last byte either way: the end of the last answer, or the
            // connection's start.
            this.conn.active_ms.load(Ordering::Relaxed) + limits.idle_timeout.as_millis() as u64
        } else {
            header_since + limits.header_timeout.as_millis() as u64
        };
        let at = this.connections.at(deadline);
        if this.timer.deadline() != at {
            this.timer.as_mut().reset(at);
        }
        match this.timer.as_mut().poll(cx) {
            Poll::Ready(()) => {
                this.conn.closing.store(true, Ordering::Release);
                Poll::Ready(Ok(()))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Tracked<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.note_written(&written);
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.note_written(&written);
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Marks a connection busy while it serves a request, so that it is neither timed out
/// nor closed for a newcomer meanwhile; when the last request ends it waits for the next.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let conn = request
        .extensions()
        .get::<ConnectInfo<PeerAddr>>()
        .and_then(|ConnectInfo(peer)| peer.conn.clone());
    let _busy = conn.map(Busy::new);
    next.run(request).await
}

/// A request in flight on a connection (also when its handler is cancelled).
struct Busy(Arc<Conn>);

impl Busy {
    fn new(conn: Arc<Conn>) -> Busy {
        conn.in_flight.fetch_add(1, Ordering::AcqRel);
        conn.header_since_ms.store(u64::MAX, Ordering::Release);
        Busy(conn)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let conn = &self.0;
        // The socket re-arms its timer for the wait that starts now.
        if conn.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            conn.reader.wake();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Connections the open-file limit leaves room for, after [`RESERVED_DESCRIPTORS`].
fn descriptor_budget() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct passed and reads nothing else.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            // rlim_t is u64 here but not on every platform.
            #[allow(clippy::unnecessary_cast)]
            let soft = limit.rlim_cur as u64;
            return soft.saturating_sub(RESERVED_DESCRIPTORS).max(1) as usize;
        }
    }
    usize::MAX
}
