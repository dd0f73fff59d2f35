//! Problem documents for the requests hyper refuses before any handler sees them.
//!
//! hyper answers a request it cannot parse itself, with an empty body, and closes the
//! connection: a URI over 64 KiB (414), a header section over its read buffer or with more
//! than 100 fields (431), a malformed request line or header (400). Every other error of
//! the service is `application/problem+json`, and clients parse it; so [`ProblemListener`]
//! wraps each connection and, on the way to the socket, replaces such an answer, known by
//! its status and its missing `Content-Type` (the service sets one on every answer it
//! makes), by the same status with a problem document saying what to change.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::extract::connect_info::Connected;
use axum::http::StatusCode;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::connections::{Conn, Connections, Tracked};
use crate::problem::{PROBLEM_JSON, Problem};

/// A TCP listener whose connections answer unparsable requests with problem documents,
/// within the bounds of [`Connections`].
pub struct ProblemListener {
    /// The socket listened on.
    pub listener: TcpListener,
    /// The bounds its connections are kept within.
    pub connections: Arc<Connections>,
}

/// The peer of a connection accepted by [`ProblemListener`], for `ConnectInfo`.
#[derive(Debug, Clone)]
pub struct PeerAddr {
    /// The client's address.
    pub addr: SocketAddr,
    /// The connection, which requests mark busy.
    pub(crate) conn: Option<Arc<Conn>>,
}

impl Connected<IncomingStream<'_, ProblemListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, ProblemListener>) -> Self {
        PeerAddr {
            addr: *stream.remote_addr(),
            conn: Some(stream.io().inner.conn()),
        }
    }
}

impl Listener for ProblemListener {
    type Io = ProblemIo<Tracked<TcpStream>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's accept logs and retries failed accepts (out of file descriptors, say).
        let (stream, addr) = Listener::accept(&mut self.listener).await;
        let slot = self.connections.admit().await;
        (ProblemIo::new(self.connections.track(stream, slot)), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

/// A connection whose automatic parse-error answers are rewritten (see the module).
pub struct ProblemIo<T> {
    inner: T,
    /// A replacement answer, and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<T> ProblemIo<T> {
    fn new(inner: T) -> Self {
        ProblemIo {
            inner,
            pending: None,
        }
    }
}

impl<T: AsyncWrite + Unpin> ProblemIo<T> {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `head` over when it is an automatic answer: the caller's bytes count as
    /// written, and the replacement goes out as the socket allows.
    fn take_over(
        &mut self,
        cx: &mut Context<'_>,
        head: &[u8],
        len: usize,
    ) -> Option<Poll<io::Result<usize>>> {
        let replacement = replacement(head)?;
        self.pending = Some((replacement, 0));
        Some(match self.poll_pending(cx) {
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            _ => Poll::Ready(Ok(len)),
        })
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ProblemIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ProblemIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        if let Some(done) = self.take_over(cx, buf, buf.len()) {
            return done;
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        // An automatic answer is a head alone, so it fills the first slice by itself.
        if let Some(first) = bufs.iter().find(|b| !b.is_empty()) {
            let len = bufs.iter().map(|b| b.len()).sum();
            if let Some(done) = self.take_over(cx, first, len) {
                return done;
            }
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// What to tell the client for each status hyper answers by itself.
fn detail(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => {
            "the request is not valid HTTP/1.1 (a malformed method, URI, header or version): \
             check the client"
        }
        414 => {
            "the request URI is longer than the server reads (64 KiB): send long lists in a \
             POST body rather than in the query string"
        }
        431 => {
            "the request's headers are larger than the server reads (about 400 KiB, or more \
             than 100 fields): send fewer or smaller headers"
        }
        _ => return None,
    })
}

/// The problem answer that replaces `head`, when `head` is an answer hyper made itself.
fn replacement(head: &[u8]) -> Option<Vec<u8>> {
    let rest = head.strip_prefix(b"HTTP/1.1 ")?;
    let code: u16 = std::str::from_utf8(rest.get(..3)?).ok()?.parse().ok()?;
    let detail = detail(code)?;
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let text = std::str::from_utf8(&head[..end]).ok()?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let mut kept = Vec::new();
    for line in lines {
        let name = line
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match name.as_str() {
            // The service's own answers always have a type: this one is not hyper's.
            "content-type" => return None,
            "content-length" | "connection" => {}
            _ => kept.push(line),
        }
    }
    let status = StatusCode::from_u16(code).ok()?;
    let body = serde_json::to_vec(&Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: code,
        detail: detail.to_owned(),
        field: None,
        id: None,
    })
    .ok()?;
    let mut out = Vec::with_capacity(256 + body.len());
    out.extend_from_slice(status_line.as_bytes());
    for line in kept {
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(line.as_bytes());
    }
    out.extend_from_slice(
        format!(
            "\r\ncontent-type: {PROBLEM_JSON}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_bodiless_answers_become_problems() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\
                     date: Sat, 06 Dec 2025 05:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(replacement(head).expect("replaced")).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(head.contains("\r\ndate: Sat"), "{head}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 431);
    }

    #[test]
    fn the_services_own_answers_pass_untouched() {
        let own = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\n\
                    content-length: 2\r\n\r\n{}";
        assert_eq!(replacement(own), None);
        assert_eq!(
            replacement(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"),
            None
        );
        assert_eq!(replacement(b"{\"title\": \"HTTP/1.1 414 \"}"), None);
    }
}
