//! A real single-node Kafka broker (KRaft: broker and controller in one
//! JVM) for end-to-end tests, from Apache Kafka's jars on Maven Central
//! (tests/common/servers/kafka-broker/pom.xml; `.ci/run` installs Java and
//! Maven and resolves the jars), on free loopback ports, killed on drop.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::gobuild::{target, text};

/// The runtime classpath of tests/common/servers/kafka-broker/pom.xml (Kafka
/// and an SLF4J binding), resolved by Maven once and cached in the target
/// directory while every jar it names exists.
fn broker_classpath() -> String {
    let pom = crate::common::root().join("tests/common/servers/kafka-broker/pom.xml");
    let cached = target().join("kafka-broker.classpath");
    let usable = |cp: &str| !cp.is_empty() && cp.split(':').all(|jar| Path::new(jar).is_file());
    if let Ok(cp) = std::fs::read_to_string(&cached)
        && usable(cp.trim())
    {
        return cp.trim().to_string();
    }
    let started = Instant::now();
    let out = Command::new("mvn")
        .args(["-q", "-B", "-f"])
        .arg(&pom)
        .arg("dependency:build-classpath")
        .arg(format!("-Dmdep.outputFile={}", cached.display()))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "mvn is required by this test to fetch the Kafka broker's jars ({e}): \
                 apt-get install -y maven openjdk-17-jre-headless (.ci/run does)"
            )
        });
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "mvn could not resolve the Kafka broker's jars:\n{stdout}{stderr}"
    );
    let cp = std::fs::read_to_string(&cached).unwrap();
    assert!(usable(cp.trim()), "mvn wrote an unusable classpath: {cp}");
    eprintln!(
        "resolving the broker's classpath took {:.1}s",
        started.elapsed().as_secs_f64()
    );
    cp.trim().to_string()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A single-node Kafka broker (broker and controller in one JVM, KRaft) on
/// free loopback ports, with its log directory in a temp dir; killed when
/// dropped (also when an assertion panics).
pub struct Kafka {
    child: Child,
    dir: PathBuf,
    pub addr: String,
}

impl Kafka {
    pub fn start() -> Kafka {
        let classpath = broker_classpath();
        let dir = std::env::temp_dir().join(format!("goaop-kafka-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let (port, controller) = (free_port(), free_port());
        let properties = dir.join("server.properties");
        std::fs::write(
            &properties,
            format!(
                "process.roles=broker,controller\n\
                 node.id=1\n\
                 controller.quorum.voters=1@127.0.0.1:{controller}\n\
                 listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}\n\
                 advertised.listeners=PLAINTEXT://127.0.0.1:{port}\n\
                 controller.listener.names=CONTROLLER\n\
                 inter.broker.listener.name=PLAINTEXT\n\
                 listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n\
                 log.dirs={}\n\
                 num.partitions=1\n\
                 offsets.topic.num.partitions=1\n\
                 offsets.topic.replication.factor=1\n\
                 transaction.state.log.replication.factor=1\n\
                 transaction.state.log.min.isr=1\n\
                 group.initial.rebalance.delay.ms=0\n\
                 auto.create.topics.enable=false\n",
                dir.join("data").display()
            ),
        )
        .unwrap();
        let java = |main: &str| {
            let mut cmd = Command::new("java");
            cmd.args(["-Xms128m", "-Xmx512m", "-XX:+UseSerialGC"])
                .args(["-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp"])
                .arg(&classpath)
                .arg(main)
                .stdin(Stdio::null());
            cmd
        };
        let started = Instant::now();
        let mut format = java("kafka.tools.StorageTool");
        format
            .args(["format", "-t", "MkU3OEVBNTcwNTJENDM2Qg", "-c"])
            .arg(&properties);
        let out = format.output().unwrap_or_else(|e| {
            panic!(
                "java (17+) is required by this test to run the Kafka broker ({e}): \
                 apt-get install -y openjdk-17-jre-headless (.ci/run does)"
            )
        });
        let (stdout, stderr) = text(&out);
        assert!(
            out.status.success(),
            "kafka-storage format failed:\n{stdout}{stderr}"
        );
        let log = dir.join("broker.log");
        let sink = File::create(&log).unwrap();
        let child = java("kafka.Kafka")
            .arg(&properties)
            .stdout(sink.try_clone().unwrap())
            .stderr(sink)
            .spawn()
            .expect("starting the Kafka broker");
        let mut kafka = Kafka {
            child,
            dir,
            addr: format!("127.0.0.1:{port}"),
        };
        kafka.wait_ready(&log);
        eprintln!(
            "the Kafka broker (format + start) took {:.1}s",
            started.elapsed().as_secs_f64()
        );
        kafka
    }

    /// Until the broker logs that it started (bounded: slow under load).
    fn wait_ready(&mut self, log: &Path) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if text.contains("Kafka Server started") {
                return;
            }
            let exited = self.child.try_wait().ok().flatten();
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "the Kafka broker on {} did not start (exit: {exited:?}); its log:\n{text}",
                self.addr
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Kafka {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
