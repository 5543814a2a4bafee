//! A throwaway PostgreSQL cluster for end-to-end tests (Debian's
//! `postgresql` package; `.ci/run` installs it): initdb into a temp dir,
//! the server on a free 127.0.0.1 port, stopped and removed on drop.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::gobuild::{output, text};

const MISSING: &str = "PostgreSQL's server (initdb, postgres) is required by this test: \
                       apt-get install -y postgresql (.ci/run does)";

/// The directory holding initdb, postgres and psql: initdb's on PATH (links
/// followed: /usr/local/bin/initdb may point into Debian's directory), else
/// Debian's /usr/lib/postgresql/<newest version>/bin.
fn pg_bin() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("initdb"))
            .find(|p| p.is_file())
            .and_then(|p| std::fs::canonicalize(p).ok())
            .and_then(|p| p.parent().map(Path::to_path_buf))
    });
    let debian = || {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let v = e.file_name().to_str()?.parse().ok()?;
                let bin = e.path().join("bin");
                bin.join("initdb").is_file().then_some((v, bin))
            })
            .collect();
        versions.sort();
        versions.pop().map(|(_, b)| b)
    };
    let bin = on_path
        .or_else(debian)
        .unwrap_or_else(|| panic!("{MISSING}"));
    for program in ["initdb", "postgres", "psql"] {
        assert!(
            bin.join(program).is_file(),
            "no {program} in {}: {MISSING}",
            bin.display()
        );
    }
    bin
}

/// libpq's and the server's environment (PGHOST, PGSSLMODE, PGDATA, …)
/// removed: only the command line says where and how to connect.
pub fn without_pg_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(|k| k.starts_with("PG")) {
            cmd.env_remove(key);
        }
    }
}

/// `(uid, gid)` of the `postgres` user from /etc/passwd, when we are root
/// (initdb and postgres refuse to run as root); `None` otherwise.
fn server_user() -> Option<(u32, u32)> {
    let me = output({
        let mut c = Command::new("id");
        c.arg("-u");
        c
    });
    if text(&me).0.trim() != "0" {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let ids = passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.first() == Some(&"postgres") && f.len() > 3)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
            .flatten()
    });
    Some(ids.unwrap_or_else(|| {
        panic!("running as root, the server needs the `postgres` user (Debian's postgresql package creates it): {MISSING}")
    }))
}

/// A throwaway cluster in its own temp dir, listening on 127.0.0.1 (and a
/// socket in the temp dir); stopped and removed when dropped, also when an
/// assertion panics.
pub struct Postgres {
    dir: PathBuf,
    child: Option<Child>,
    pub port: u16,
}

impl Postgres {
    /// Start a cluster and run `setup` (SQL) once it accepts connections.
    pub fn start(setup: &str) -> Postgres {
        let bin = pg_bin();
        let user = server_user();
        let dir = std::env::temp_dir().join(format!("goaop-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sock")).unwrap();
        let mut pg = Postgres {
            dir,
            child: None,
            port: 0,
        };
        if let Some((uid, gid)) = user {
            for d in [pg.dir.clone(), pg.dir.join("sock")] {
                std::os::unix::fs::chown(&d, Some(uid), Some(gid)).unwrap();
            }
        }
        // As the server's user (std drops root's supplementary groups too).
        let as_server = |program: &str| {
            let mut c = Command::new(bin.join(program));
            c.current_dir(&pg.dir);
            without_pg_env(&mut c);
            if let Some((uid, gid)) = user {
                c.uid(uid).gid(gid);
            }
            c
        };
        let data = pg.dir.join("data");
        let mut initdb = as_server("initdb");
        initdb.arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ]);
        let out = initdb
            .output()
            .unwrap_or_else(|e| panic!("initdb: {e}; {MISSING}"));
        let (o, e) = text(&out);
        assert!(
            out.status.success(),
            "initdb into {} failed (as root it runs as `postgres`, which must reach the temp dir):\n{o}{e}",
            pg.dir.display()
        );

        pg.port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let log = std::fs::File::create(pg.dir.join("server.log")).unwrap();
        let mut server = as_server("postgres");
        server
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(pg.dir.join("sock"))
            .args(["-h", "127.0.0.1", "-p", &pg.port.to_string()])
            .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        pg.child = Some(
            server
                .spawn()
                .unwrap_or_else(|e| panic!("postgres: {e}; {MISSING}")),
        );
        pg.setup(&bin, setup);
        pg
    }

    /// The URL the Go program connects to.
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?sslmode=disable",
            self.port
        )
    }

    /// Run `sql` once the server accepts connections (psql, retried while
    /// it starts; bounded).
    fn setup(&mut self, bin: &Path, sql: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut psql = Command::new(bin.join("psql"));
            without_pg_env(&mut psql);
            let out = psql
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
                .args([
                    "-U",
                    "postgres",
                    "-d",
                    "postgres",
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-c",
                ])
                .arg(sql)
                .output()
                .unwrap_or_else(|e| panic!("psql: {e}; {MISSING}"));
            if out.status.success() {
                return;
            }
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "PostgreSQL on port {} is not ready (server exit: {exited:?}): {}\nserver log:\n{log}",
                self.port,
                text(&out).1
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            // Fast shutdown (SIGINT): the server removes its shared memory;
            // SIGKILL only if it has not exited after 10 s.
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
