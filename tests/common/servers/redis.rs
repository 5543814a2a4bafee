//! A redis-server for end-to-end tests (Debian's `redis-server`; `.ci/run`
//! installs it) on a free loopback port, without persistence.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A redis-server on a free loopback port, in its own temp dir, without
/// persistence; killed when dropped (also when an assertion panics).
pub struct Redis {
    child: Child,
    dir: PathBuf,
    pub addr: String,
}

impl Redis {
    pub fn start() -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let dir = std::env::temp_dir().join(format!("goaop-redis-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let port_arg = port.to_string();
        let child = Command::new("redis-server")
            .args(["--port", &port_arg, "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "no", "--dir"])
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "redis-server is required by this test ({e}): \
                     apt-get install -y redis-server (.ci/run does)"
                )
            });
        let redis = Redis {
            child,
            dir,
            addr: format!("127.0.0.1:{port}"),
        };
        redis.wait_ready();
        redis
    }

    /// PING until PONG (bounded).
    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let pong = TcpStream::connect(&self.addr).and_then(|mut s| {
                s.set_read_timeout(Some(Duration::from_secs(2)))?;
                s.write_all(b"PING\r\n")?;
                let mut buf = [0u8; 16];
                let n = s.read(&mut buf)?;
                Ok(buf[..n].starts_with(b"+PONG"))
            });
            if let Ok(true) = pong {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server on {} did not answer PING: {pong:?}",
                self.addr
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
