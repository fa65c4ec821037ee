//! A minimal HTTP/1.1 client over one keep-alive `TcpStream`.
//!
//! Why hand-written rather than an HTTP client crate: the benchmark opens thousands of
//! long-polling connections in one process on two cores, and every microsecond the client
//! spends is taken from the server it measures. This client does exactly what a long-polling
//! Bayeux transport needs — one request at a time on one connection, a `Content-Length` (or
//! chunked) body — and stamps the moment the last byte of a response arrived, before any
//! parsing, which is the receipt time of the fan-out measurement.

use std::net::SocketAddr;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The socket failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The server closed the connection before a whole response arrived.
    #[error("connection closed by the server")]
    Closed,
    /// Not an HTTP/1.1 response this client understands.
    #[error("bad response: {0}")]
    Parse(String),
}

/// One response.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// `X-CSRF-TOKEN`, when the server sent one.
    pub csrf_token: Option<String>,
    /// The whole body.
    pub body: Vec<u8>,
    /// When the last byte of the response was read (receipt time).
    pub received_at: Instant,
}

/// A keep-alive connection.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    host: String,
    buf: Vec<u8>,
}

/// Largest response head accepted (the simulator's are a few hundred bytes).
const MAX_HEAD: usize = 64 * 1024;

impl Connection {
    /// Opens a connection (Nagle off: requests are small and latency-bound).
    pub async fn open(address: SocketAddr) -> Result<Self, HttpError> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            host: address.to_string(),
            buf: Vec::with_capacity(8 * 1024),
        })
    }

    /// Sends one request and reads its response. `headers` are extra `name: value` pairs.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Response, HttpError> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.host,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        self.stream.write_all(&request).await?;
        self.read_response().await
    }

    async fn fill(&mut self) -> Result<(), HttpError> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(HttpError::Closed);
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    async fn read_response(&mut self) -> Result<Response, HttpError> {
        let head = loop {
            if let Some(head) = parse_head(&self.buf)? {
                break head;
            }
            if self.buf.len() > MAX_HEAD {
                return Err(HttpError::Parse("response head too large".into()));
            }
            self.fill().await?;
        };
        self.buf.drain(..head.len);
        let body = match head.framing {
            Framing::Length(length) => {
                while self.buf.len() < length {
                    self.fill().await?;
                }
                self.buf.drain(..length).collect()
            }
            Framing::Chunked => self.read_chunked().await?,
        };
        Ok(Response {
            status: head.status,
            csrf_token: head.csrf_token,
            body,
            received_at: Instant::now(),
        })
    }

    async fn read_chunked(&mut self) -> Result<Vec<u8>, HttpError> {
        let mut body = Vec::new();
        loop {
            let (skip, size) = loop {
                match httparse::parse_chunk_size(&self.buf) {
                    Ok(httparse::Status::Complete((skip, size))) => break (skip, size),
                    Ok(httparse::Status::Partial) => self.fill().await?,
                    Err(_) => return Err(HttpError::Parse("bad chunk size".into())),
                }
            };
            let size =
                usize::try_from(size).map_err(|_| HttpError::Parse("chunk too large".into()))?;
            // chunk data plus its CRLF
            while self.buf.len() < skip + size + 2 {
                self.fill().await?;
            }
            body.extend_from_slice(&self.buf[skip..skip + size]);
            self.buf.drain(..skip + size + 2);
            if size == 0 {
                // No trailers from this server: the last chunk is followed by CRLF only.
                return Ok(body);
            }
        }
    }
}

#[derive(Debug, PartialEq)]
enum Framing {
    Length(usize),
    Chunked,
}

#[derive(Debug, PartialEq)]
struct Head {
    len: usize,
    status: u16,
    framing: Framing,
    csrf_token: Option<String>,
}

/// Parses a complete response head at the start of `buf`, or `None` if more bytes are needed.
fn parse_head(buf: &[u8]) -> Result<Option<Head>, HttpError> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(HttpError::Parse(e.to_string())),
    };
    let status = response.code.unwrap_or(0);
    let mut framing = Framing::Length(0);
    let mut csrf_token = None;
    for header in response.headers.iter() {
        let value = std::str::from_utf8(header.value).unwrap_or("").trim();
        if header.name.eq_ignore_ascii_case("content-length") {
            let length = value
                .parse()
                .map_err(|_| HttpError::Parse(format!("content-length {value:?}")))?;
            framing = Framing::Length(length);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding")
            && value.eq_ignore_ascii_case("chunked")
        {
            framing = Framing::Chunked;
        } else if header.name.eq_ignore_ascii_case("x-csrf-token") {
            csrf_token = Some(value.to_string());
        }
    }
    Ok(Some(Head {
        len,
        status,
        framing,
        csrf_token,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[test]
    fn a_partial_head_asks_for_more_bytes() {
        assert_eq!(
            parse_head(b"HTTP/1.1 200 OK\r\nContent-Le").expect("parsed"),
            None
        );
    }

    #[test]
    fn the_head_gives_status_length_and_csrf_token() {
        let head =
            parse_head(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nX-CSRF-TOKEN: abc\r\n\r\n[]")
                .expect("parsed")
                .expect("complete");
        assert_eq!(head.status, 200);
        assert_eq!(head.framing, Framing::Length(2));
        assert_eq!(head.csrf_token.as_deref(), Some("abc"));
    }

    async fn serve_once(reply: &'static [u8]) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bound");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("accepted");
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await.expect("request");
            // Split the reply so the client has to read more than once.
            let (first, second) = reply.split_at(reply.len() / 2);
            socket.write_all(first).await.expect("written");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            socket.write_all(second).await.expect("written");
        });
        address
    }

    #[tokio::test]
    async fn reads_a_content_length_body_arriving_in_pieces() {
        let address = serve_once(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world").await;
        let mut connection = Connection::open(address).await.expect("open");
        let response = connection
            .request("POST", "/x", &[("A", "b")], b"{}")
            .await
            .expect("response");
        assert_eq!(response.status, 200);
        assert_eq!(response.body, b"hello world");
    }

    #[tokio::test]
    async fn reads_a_chunked_body() {
        let address = serve_once(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        )
        .await;
        let mut connection = Connection::open(address).await.expect("open");
        let response = connection
            .request("GET", "/", &[], b"")
            .await
            .expect("response");
        assert_eq!(response.body, b"hello world");
    }
}
