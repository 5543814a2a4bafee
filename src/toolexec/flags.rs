//! The go command's flags, as the nested `go list -export` of the injected
//! imports ([`super::deps`]) needs them.
//!
//! The nested command builds the injected packages and their closure; the
//! outer build links them next to its own copies of shared packages, so the
//! two must compile every package they share identically (else the link
//! fails with `fingerprint mismatch`). Hence the nested command gets:
//! - the flags that change how every package is compiled (`-tags`, `-race`,
//!   `-trimpath`, `-mod`, `-overlay`, `-a`…), as they are;
//! - `-gcflags`/`-asmflags`: with a pattern as they are; without one they
//!   apply to the packages named on the command line, which the nested
//!   command names differently, so it gets one `pattern=flags` per package
//!   argument of the outer command;
//! - coverage only as the outer build selects it: `-coverpkg` patterns as
//!   they are; plain `-cover` instruments the tested packages (go test: the
//!   nested command instruments nothing) or the main module's packages
//!   (build, run, install: `-coverpkg=<module>/...`). Never plain `-cover`:
//!   it would instrument the injected packages themselves, standard ones
//!   included, because they are named on the nested command line.

/// Flags that take a value and change how every package is compiled.
const VALUE_FLAGS: &[&str] = &["tags", "mod", "modfile", "overlay", "pgo", "buildmode"];
/// Boolean flags that change how every package is compiled (or force it).
const BOOL_FLAGS: &[&str] = &["a", "race", "msan", "asan", "trimpath", "linkshared"];
/// `-flag=[pattern=]args` flags.
const PER_PACKAGE: &[&str] = &["gcflags", "asmflags"];

/// A go command line, split up: `go [-C dir] <sub> flags… packages…`.
#[derive(Debug, Default, PartialEq)]
pub struct GoCommand {
    pub sub: String,
    /// `(name, value)`, name without dashes; `None` for a bare bool flag.
    pub flags: Vec<(String, Option<String>)>,
    pub packages: Vec<String>,
}

impl GoCommand {
    /// Parse `go …` as cmd/go does: flags up to the first non-flag; `go
    /// test` also takes flags after its packages (up to `-args`).
    pub fn parse(cmdline: &[String]) -> GoCommand {
        let mut it = cmdline.iter().skip(1).peekable();
        if let Some(a) = it.peek() {
            if *a == "-C" {
                it.next();
                it.next();
            } else if a.starts_with("-C=") {
                it.next();
            }
        }
        let mut cmd = GoCommand {
            sub: it.next().cloned().unwrap_or_default(),
            ..Default::default()
        };
        let test = cmd.sub == "test";
        while let Some(a) = it.next() {
            if a == "--" || (test && (a == "-args" || a == "--args")) {
                break;
            }
            if !a.starts_with('-') || a == "-" {
                cmd.packages.push(a.clone());
                if cmd.sub == "run" {
                    break; // the rest are the program's arguments
                }
                continue;
            }
            if !test && !cmd.packages.is_empty() {
                break; // flag parsing stopped at the first package
            }
            let name = a.trim_start_matches('-');
            match name.split_once('=') {
                Some((n, v)) => cmd.flags.push((n.to_string(), Some(v.to_string()))),
                None if takes_value(name) => {
                    cmd.flags.push((name.to_string(), it.next().cloned()));
                }
                None => cmd.flags.push((name.to_string(), None)),
            }
        }
        cmd
    }

    fn value(&self, flag: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| n == flag)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Whether a boolean flag is on (`-flag`, `-flag=true`).
    fn is_set(&self, flag: &str) -> bool {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| n == flag)
            .is_some_and(|(_, v)| {
                v.as_deref()
                    .is_none_or(|v| matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True"))
            })
    }

    /// The package arguments that name packages (not `.go` files), `.` when
    /// there are none.
    fn package_patterns(&self) -> Vec<&str> {
        let pats: Vec<&str> = self
            .packages
            .iter()
            .map(String::as_str)
            .filter(|p| !p.ends_with(".go"))
            .collect();
        if self.packages.is_empty() {
            vec!["."]
        } else {
            pats
        }
    }

    /// The flags for the nested `go list` (see the module doc).
    /// `main_module` is the main module's path, if any.
    pub fn nested_flags(&self, main_module: Option<&str>) -> Vec<String> {
        let mut out = Vec::new();
        for (name, value) in &self.flags {
            let n = name.as_str();
            match value {
                Some(v) if VALUE_FLAGS.contains(&n) || BOOL_FLAGS.contains(&n) => {
                    out.push(format!("-{n}={v}"));
                }
                None if BOOL_FLAGS.contains(&n) => out.push(format!("-{n}")),
                Some(v) if PER_PACKAGE.contains(&n) => {
                    if v.is_empty() || v.starts_with('-') {
                        for p in self.package_patterns() {
                            out.push(format!("-{n}={p}={v}"));
                        }
                    } else {
                        out.push(format!("-{n}={v}"));
                    }
                }
                _ => {}
            }
        }
        out.extend(self.coverage(main_module));
        out
    }

    /// Coverage flags selecting, among the nested command's packages, those
    /// the outer build instruments.
    fn coverage(&self, main_module: Option<&str>) -> Vec<String> {
        let pkgs = match self.value("coverpkg") {
            Some(p) => p.to_string(),
            None if !self.is_set("cover") && self.value("covermode").is_none() => {
                return Vec::new();
            }
            None if self.sub == "test" => return Vec::new(),
            None => match main_module {
                Some(m) => format!("{m}/..."),
                None => return Vec::new(),
            },
        };
        let mut out = vec!["-cover".to_string(), format!("-coverpkg={pkgs}")];
        if let Some(m) = self.value("covermode") {
            out.push(format!("-covermode={m}"));
        }
        out
    }
}

/// GOFLAGS for the nested command: without `-toolexec` (it must not call
/// goaop) and without coverage (chosen by [`GoCommand::nested_flags`]).
pub fn nested_goflags(goflags: &str) -> String {
    goflags
        .split_whitespace()
        .filter(|f| {
            let name = f.trim_start_matches('-');
            let name = name.split_once('=').map_or(name, |(n, _)| n);
            !matches!(name, "toolexec" | "cover" | "coverpkg" | "covermode")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// go build and go test flags that take a separate value (so it is not a
/// package). go test also spells its own flags `-test.<name>`.
fn takes_value(name: &str) -> bool {
    let name = name.strip_prefix("test.").unwrap_or(name);
    VALUE_FLAGS.contains(&name)
        || PER_PACKAGE.contains(&name)
        || matches!(
            name,
            "o" | "p"
                | "C"
                | "toolexec"
                | "ldflags"
                | "gccgoflags"
                | "compiler"
                | "installsuffix"
                | "pkgdir"
                | "covermode"
                | "coverpkg"
                | "exec"
                | "run"
                | "skip"
                | "bench"
                | "benchtime"
                | "count"
                | "timeout"
                | "cpu"
                | "parallel"
                | "list"
                | "shuffle"
                | "fuzz"
                | "fuzztime"
                | "fuzzminimizetime"
                | "coverprofile"
                | "cpuprofile"
                | "memprofile"
                | "memprofilerate"
                | "blockprofile"
                | "blockprofilerate"
                | "mutexprofile"
                | "mutexprofilefraction"
                | "outputdir"
                | "trace"
                | "vet"
                | "debug-actiongraph"
                | "debug-runtime-trace"
                | "debug-trace"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(cmdline: &str, module: Option<&str>) -> Vec<String> {
        let args: Vec<String> = cmdline.split(' ').map(str::to_string).collect();
        GoCommand::parse(&args).nested_flags(module)
    }

    #[test]
    fn archive_changing_flags_are_forwarded() {
        assert_eq!(
            nested(
                "go build -toolexec goaop -tags a,b -race -o out -mod=vendor -a ./... -trimpath",
                None
            ),
            ["-tags=a,b", "-race", "-mod=vendor", "-a"],
            "flags after the packages are not go build's"
        );
        assert_eq!(
            nested("go -C sub build --race -buildmode pie .", None),
            ["-race", "-buildmode=pie"]
        );
        assert_eq!(nested("go run . -race", None), Vec::<String>::new());
        assert_eq!(
            nested("go test -count 1 ./x -race -v -args -trimpath", None),
            ["-race"]
        );
        assert_eq!(
            nested("go test -test.run TestX -a ./x -tags t", None),
            ["-a", "-tags=t"]
        );
    }

    #[test]
    fn per_package_flags_keep_their_packages() {
        assert_eq!(
            nested("go build -gcflags=-N -gcflags all=-l ./a ./b", None),
            ["-gcflags=./a=-N", "-gcflags=./b=-N", "-gcflags=all=-l"]
        );
        assert_eq!(
            nested("go build -asmflags -S main.go", None),
            Vec::<String>::new()
        );
        assert_eq!(nested("go build -gcflags -N", None), ["-gcflags=.=-N"]);
    }

    #[test]
    fn coverage_as_the_outer_build_selects_it() {
        let m = Some("example.com/m");
        assert_eq!(nested("go test -cover ./...", m), Vec::<String>::new());
        assert_eq!(
            nested("go test -race -cover -covermode=atomic .", m),
            ["-race"]
        );
        assert_eq!(
            nested("go test -coverpkg=./... -covermode count .", m),
            ["-cover", "-coverpkg=./...", "-covermode=count"]
        );
        assert_eq!(
            nested("go build -cover -o bin .", m),
            ["-cover", "-coverpkg=example.com/m/..."]
        );
        assert_eq!(nested("go build -cover=false .", m), Vec::<String>::new());
        assert_eq!(
            nested_goflags("-mod=mod -toolexec=goaop -cover -coverpkg=x --covermode=set"),
            "-mod=mod"
        );
    }
}
