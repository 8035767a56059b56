//! A real (small) SMTP server on loopback for the tests: it speaks enough SMTP for lettre
//! (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, no TLS), keeps what it receives, and can be
//! told to refuse mail for a while (451 at MAIL: try later) or for good (550 at RCPT).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// 451 to MAIL FROM: a transient failure.
    TryLater,
    /// 550 to RCPT TO: a permanent failure.
    Refuse,
    /// Takes the message, then closes the connection without answering: the sender cannot know
    /// whether it was accepted.
    HangUpAfterData,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body), dot-unstuffed.
    pub data: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        let (headers, _) = self.data.split_once("\r\n\r\n")?;
        // Unfold continuation lines first.
        let unfolded = headers.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }

    /// The body, decoded from quoted-printable or base64 when the message says so.
    pub fn body(&self) -> String {
        let (_, body) = self.data.split_once("\r\n\r\n").unwrap_or(("", &self.data));
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        match encoding.as_str() {
            "quoted-printable" => decode_qp(body),
            "base64" => {
                use base64::Engine;
                let compact: String = body.split_whitespace().collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .unwrap_or_default()
            }
            _ => body.to_owned(),
        }
    }

    /// Subject, headers and decoded body together, for "contains nothing of" checks.
    pub fn everything(&self) -> String {
        format!("{}\n{}", self.data, self.body())
    }
}

fn decode_qp(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    mode: Arc<Mutex<Mode>>,
    task: JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A free loopback port: bound, read and released (for "the server is down" tests).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl SmtpSink {
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    pub async fn start_on(port: u16) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("SMTP sink binds");
        let addr = listener.local_addr().expect("address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let mode = Arc::new(Mutex::new(Mode::Accept));
        let task = {
            let received = received.clone();
            let mode = mode.clone();
            tokio::spawn(async move {
                while let Ok((socket, _)) = listener.accept().await {
                    let received = received.clone();
                    let mode = mode.clone();
                    tokio::spawn(async move {
                        let _ = session(socket, received, mode).await;
                    });
                }
            })
        };
        Self {
            addr,
            received,
            mode,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` messages arrived (or `timeout` passed) and returns them all.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn session(
    socket: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    mode: Arc<Mutex<Mode>>,
) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let current = *mode.lock().unwrap();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 ok\r\n"
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            b"250 ok\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            if current == Mode::TryLater {
                b"451 4.3.0 try again later\r\n"
            } else {
                from = command[10..].trim().to_owned();
                b"250 ok\r\n"
            }
        } else if upper.starts_with("RCPT TO:") {
            if current == Mode::Refuse {
                b"550 5.1.1 mailbox unavailable\r\n"
            } else {
                to.push(command[8..].trim().to_owned());
                b"250 ok\r\n"
            }
        } else if upper == "DATA" {
            write.write_all(b"354 end with .\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            received.lock().unwrap().push(Received {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            if current == Mode::HangUpAfterData {
                return Ok(());
            }
            b"250 2.0.0 queued\r\n"
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"500 unknown command\r\n"
        };
        write.write_all(reply).await?;
    }
}
