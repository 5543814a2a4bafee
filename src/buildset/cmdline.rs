//! A go command line (`build|run|test|vet|install …`), as the go command
//! reads it: which flags change the package graph or the file set (they
//! go to the `go list` that decides what to weave), the user's `-overlay`
//! (merged with goaop's), `-C`, and the package patterns. Parsing follows
//! cmd/go: `build`/`install`/`vet` stop at the first non-flag, `run` takes
//! one package (or `.go` files) and then the program's arguments, `test`
//! takes flags on both sides of one run of packages.

use std::path::PathBuf;

/// Build flags (`go help build`) that take a value.
const BUILD_VALUE: &[&str] = &[
    "C",
    "p",
    "covermode",
    "coverpkg",
    "asmflags",
    "buildmode",
    "compiler",
    "gccgoflags",
    "gcflags",
    "installsuffix",
    "ldflags",
    "mod",
    "modfile",
    "overlay",
    "pgo",
    "pkgdir",
    "tags",
    "toolexec",
    "o",
];
/// Build flags without a value.
const BUILD_BOOL: &[&str] = &[
    "a",
    "n",
    "race",
    "msan",
    "asan",
    "cover",
    "v",
    "work",
    "x",
    "buildvcs",
    "json",
    "linkshared",
    "modcacherw",
    "trimpath",
];
/// `go test` flags that take a value (`go help testflag`), and `-exec`,
/// `-vettool`.
const TEST_VALUE: &[&str] = &[
    "bench",
    "benchtime",
    "blockprofile",
    "blockprofilerate",
    "count",
    "coverprofile",
    "cpu",
    "cpuprofile",
    "exec",
    "fuzz",
    "fuzzminimizetime",
    "fuzztime",
    "list",
    "memprofile",
    "memprofilerate",
    "mutexprofile",
    "mutexprofilefraction",
    "outputdir",
    "parallel",
    "run",
    "shuffle",
    "skip",
    "timeout",
    "trace",
    "vet",
    "vettool",
];
const TEST_BOOL: &[&str] = &[
    "benchmem",
    "c",
    "failfast",
    "fullpath",
    "short",
    "artifacts",
];
/// Flags that change which packages or files the build compiles: they go to
/// the nested `go list` too (`-overlay` is merged instead, `-C` followed).
const GRAPH: &[&str] = &[
    "tags",
    "mod",
    "modfile",
    "race",
    "msan",
    "asan",
    "cover",
    "covermode",
    "coverpkg",
    "buildmode",
    "compiler",
];

/// A parsed go command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoCommand {
    pub sub: String,
    /// `-C dir`: the go command runs there.
    pub chdir: Option<PathBuf>,
    /// Graph-changing flags, each as one `-name=value` (or `-name`) argument.
    pub list_flags: Vec<String>,
    /// The user's `-overlay` file.
    pub overlay: Option<PathBuf>,
    /// `-work`: keep the work directory (and goaop's woven files).
    pub work: bool,
    /// A `-toolexec` of the command line.
    pub toolexec: bool,
    /// The first flag of the command line that turns coverage on.
    pub coverage: Option<String>,
    /// Package patterns or `.go` files (empty: `.`).
    pub patterns: Vec<String>,
    /// The arguments after the subcommand without `-C` and `-overlay` (goaop
    /// passes its own merged overlay).
    pub rest: Vec<String>,
}

impl GoCommand {
    /// Whether the build compiles test files (`go test`, `go vet`).
    pub fn tests(&self) -> bool {
        matches!(self.sub.as_str(), "test" | "vet")
    }

    /// Parse `sub args…`.
    pub fn parse(args: &[String]) -> GoCommand {
        let mut cmd = GoCommand {
            sub: args.first().cloned().unwrap_or_default(),
            ..Default::default()
        };
        let test = cmd.sub == "test";
        let mut i = 1;
        let mut in_patterns = false;
        let mut patterns_done = false;
        // After `--` (build, run, install, vet: the flag package's end of
        // flags) every argument is a package, a file or the program's.
        let mut flags_done = false;
        while i < args.len() {
            let a = &args[i];
            if test && (a == "--" || a == "-args" || a == "--args") {
                cmd.rest.extend(args[i..].iter().cloned());
                break;
            }
            if a == "--" && !flags_done {
                flags_done = true;
                cmd.rest.push(a.clone());
                i += 1;
                continue;
            }
            let flag = match a.strip_prefix("--").or_else(|| a.strip_prefix('-')) {
                Some(f) if !flags_done => Some(f),
                _ => None,
            };
            let Some(flag) = flag else {
                // A package, a .go file, or the program's / test's arguments.
                let more = match cmd.sub.as_str() {
                    "run" => {
                        cmd.patterns.is_empty()
                            || (a.ends_with(".go")
                                && cmd.patterns.iter().all(|p| p.ends_with(".go")))
                    }
                    "test" => !patterns_done && (cmd.patterns.is_empty() || in_patterns),
                    _ => true,
                };
                if !more {
                    cmd.rest.extend(args[i..].iter().cloned());
                    break;
                }
                cmd.patterns.push(a.clone());
                cmd.rest.push(a.clone());
                in_patterns = true;
                i += 1;
                continue;
            };
            if !test && !cmd.patterns.is_empty() {
                // `go build ./x -v`: the flag package stops at `./x`.
                cmd.rest.extend(args[i..].iter().cloned());
                break;
            }
            in_patterns = false;
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (flag, None),
            };
            // `go test` reads `-test.x` as `-x` for its test flags
            // (cmd/go's testflag); other `-test.` flags go to the binary.
            let prefixed = name.starts_with("test.");
            let name = match name.strip_prefix("test.") {
                Some(n) if test && (TEST_VALUE.contains(&n) || TEST_BOOL.contains(&n)) => n,
                _ => name,
            };
            let takes_value = BUILD_VALUE.contains(&name)
                || (cmd.tests() && TEST_VALUE.contains(&name))
                || (cmd.sub == "run" && name == "exec");
            let known = takes_value
                || BUILD_BOOL.contains(&name)
                || (cmd.tests() && TEST_BOOL.contains(&name))
                || prefixed;
            let mut consumed = 1;
            let value = match inline {
                Some(v) => Some(v),
                None if takes_value => {
                    consumed = 2;
                    args.get(i + 1).cloned()
                }
                None => None,
            };
            match name {
                "C" => cmd.chdir = value.map(PathBuf::from),
                "overlay" => cmd.overlay = value.map(PathBuf::from),
                _ => {
                    if name == "work" {
                        cmd.work = value.as_deref().is_none_or(|v| v != "false");
                    }
                    cmd.toolexec |= name == "toolexec";
                    let flag = match &value {
                        Some(v) => format!("-{name}={v}"),
                        None => format!("-{name}"),
                    };
                    if cmd.coverage.is_none() && is_cover(&flag, cmd.tests()) {
                        cmd.coverage = Some(flag.clone());
                    }
                    if GRAPH.contains(&name) {
                        cmd.list_flags.push(flag.clone());
                    }
                    cmd.rest
                        .extend(args[i..(i + consumed).min(args.len())].iter().cloned());
                }
            }
            if !known && test {
                // An unknown flag (for the test binary): the package list,
                // if any, is complete (cmd/go's rule).
                patterns_done = true;
            }
            i += consumed;
        }
        cmd
    }

    /// The coverage flag of the command line or GOFLAGS, if any: the go
    /// command ignores `-overlay` for the files it instruments for coverage
    /// (golang/go#73802), so driver mode cannot weave them.
    pub fn coverage(&self, goflags: &str) -> Option<String> {
        self.coverage.clone().or_else(|| {
            goflags
                .split_whitespace()
                .find(|f| f.starts_with('-') && is_cover(f, self.tests()))
                .map(str::to_string)
        })
    }

    /// Whether the build also runs a `-toolexec` (command line or GOFLAGS).
    pub fn has_toolexec(&self, goflags: &str) -> bool {
        self.toolexec
            || goflags
                .split_whitespace()
                .any(|f| f.trim_start_matches('-').starts_with("toolexec"))
    }

    /// The `-overlay` of GOFLAGS when the command line gives none (the
    /// command line's `-overlay` replaces GOFLAGS', so goaop's would).
    pub fn overlay_or_goflags(&self, goflags: &str) -> Option<PathBuf> {
        self.overlay.clone().or_else(|| {
            goflags.split_whitespace().rev().find_map(|f| {
                let f = f.trim_start_matches('-');
                f.strip_prefix("overlay=").map(PathBuf::from)
            })
        })
    }
}

/// Whether a flag (`-name` or `-name=value`) turns coverage on: `-cover`,
/// `-coverpkg`, `-covermode`, and for `go test` `-coverprofile` (it "sets
/// -cover"), with or without go test's `test.` prefix.
fn is_cover(flag: &str, tests: bool) -> bool {
    let name = flag.trim_start_matches('-');
    let (name, value) = name.split_once('=').unwrap_or((name, ""));
    let name = name.strip_prefix("test.").unwrap_or(name);
    match name {
        "cover" => !matches!(value, "false" | "0" | "f" | "F" | "FALSE" | "False"),
        "coverpkg" | "covermode" => true,
        "coverprofile" => tests,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> GoCommand {
        GoCommand::parse(&s.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn build_flags_and_patterns() {
        let c = parse(
            "build -C sub -tags foo,bar -o out -overlay=o.json -mod vendor -race ./cmd/x ./y",
        );
        assert_eq!(c.chdir, Some(PathBuf::from("sub")));
        assert!(!c.has_toolexec("-tags=x"));
        assert!(c.has_toolexec("-toolexec=goaop"));
        assert!(parse("build -toolexec x .").has_toolexec(""));
        assert_eq!(c.list_flags, ["-tags=foo,bar", "-mod=vendor", "-race"]);
        assert_eq!(c.overlay, Some(PathBuf::from("o.json")));
        assert_eq!(c.patterns, ["./cmd/x", "./y"]);
        assert_eq!(
            c.rest,
            [
                "-tags", "foo,bar", "-o", "out", "-mod", "vendor", "-race", "./cmd/x", "./y"
            ]
        );
        assert!(!c.tests());
    }

    #[test]
    fn run_takes_one_package_then_program_args() {
        let c = parse("run -tags=t . -tags x -overlay y");
        assert_eq!(c.patterns, ["."]);
        assert_eq!(c.list_flags, ["-tags=t"]);
        assert_eq!(c.overlay, None);
        assert_eq!(c.rest, ["-tags=t", ".", "-tags", "x", "-overlay", "y"]);
        let c = parse("run main.go util.go arg.go x");
        assert_eq!(c.patterns, ["main.go", "util.go", "arg.go"]);
        // `--` ends the flags: what follows is the package.
        let c = parse("run -tags=t -- ./cmd/x -v");
        assert_eq!(c.patterns, ["./cmd/x"]);
        assert_eq!(c.rest, ["-tags=t", "--", "./cmd/x", "-v"]);
        let c = parse("build -o bin -- ./cmd/x ./y");
        assert_eq!(c.patterns, ["./cmd/x", "./y"]);
        assert_eq!(c.rest, ["-o", "bin", "--", "./cmd/x", "./y"]);
        assert_eq!(parse("build -- -weird").patterns, ["-weird"]);
        // `-exec xprog`: a program, not the package.
        let c = parse("run -exec ./via.sh ./cmd/x arg");
        assert_eq!(c.patterns, ["./cmd/x"]);
        assert_eq!(c.rest, ["-exec", "./via.sh", "./cmd/x", "arg"]);
        assert_eq!(parse("build -exec x .").patterns, ["x", "."]);
    }

    #[test]
    fn test_flags_around_packages() {
        let c = parse("test -v ./a ./b -run X -count=1 -tags=foo");
        assert_eq!(c.patterns, ["./a", "./b"]);
        assert_eq!(c.list_flags, ["-tags=foo"]);
        assert!(c.tests());
        let c = parse("test -myflag ./a");
        assert_eq!(c.patterns, Vec::<String>::new());
        let c = parse("test ./a -args ./b");
        assert_eq!(c.patterns, ["./a"]);
        assert_eq!(c.rest, ["./a", "-args", "./b"]);
        let c = parse("test -work -cover ./a");
        assert!(c.work);
        assert_eq!(c.list_flags, ["-cover"]);
        // Build flags take no `test.` prefix: the test binary gets them.
        let c = parse("test -test.tags=foo -test.overlay=o.json ./a");
        assert!(c.list_flags.is_empty() && c.overlay.is_none());
        assert_eq!(c.patterns, ["./a"]);
        // `-test.x` is `-x` for a test flag: its value is not a package.
        let c = parse("test -test.run X -test.v ./a -test.count 2");
        assert_eq!(c.patterns, ["./a"]);
        assert_eq!(
            c.rest,
            ["-test.run", "X", "-test.v", "./a", "-test.count", "2"]
        );
    }

    #[test]
    fn coverage_flags() {
        assert_eq!(parse("test -cover ./a").coverage(""), Some("-cover".into()));
        assert_eq!(
            parse("test -coverpkg=./... ./a").coverage(""),
            Some("-coverpkg=./...".into())
        );
        assert_eq!(
            parse("test ./a").coverage("-tags=x -covermode=atomic"),
            Some("-covermode=atomic".into())
        );
        assert_eq!(parse("test -cover=false ./a").coverage(""), None);
        assert_eq!(parse("test ./a").coverage("-tags=x"), None);
        // A profile sets -cover (`go help testflag`), however spelled.
        for line in [
            "test -coverprofile=c.out ./a",
            "test ./a -coverprofile c.out",
            "test -test.coverprofile=c.out ./a",
        ] {
            let c = parse(line);
            assert!(
                c.coverage("").is_some_and(|f| f.contains("coverprofile")),
                "{line}"
            );
        }
        assert!(parse("test ./a").coverage("-coverprofile=c.out").is_some());
        assert_eq!(
            parse("test ./a -cover=0 -covermode=set").coverage(""),
            Some("-covermode=set".into())
        );
    }

    #[test]
    fn goflags_overlay() {
        let c = parse("build .");
        assert_eq!(
            c.overlay_or_goflags("-tags=x -overlay=/o.json"),
            Some(PathBuf::from("/o.json"))
        );
        assert_eq!(c.overlay_or_goflags("-tags=x"), None);
    }
}
