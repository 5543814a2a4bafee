//! `goaop go <build|run|test|vet|install> …`: run the go command on woven
//! sources.
//!
//! This is the driver mode of DESIGN §10: the packages the command compiles
//! (`go list -deps` of its patterns with its graph-changing flags, `-test`
//! for `go test`/`go vet`) are woven up front by the rules every mode shares
//! ([`crate::buildset`]) and handed to the go command with `-overlay`,
//! merged with the user's own overlay. The go command hashes woven content
//! per package (only packages an aspect edit really changes rebuild) and
//! resolves injected imports itself. The `-toolexec` backend (DESIGN §7) is
//! the other way in.
//!
//! The woven files and the overlay file are written to goaop's content
//! store ([`crate::store::content`]), and what a build hands the go command
//! ([`Woven`]) is kept with its listings: a rebuild whose listed
//! directories, rule set and goaop are unchanged reads one small record,
//! checks that its entries are still there, and runs the go command (on
//! Caddy, goaop's part of a no-op build went from ~140 ms to ~10 ms).
//! `-work` prints the overlay file's path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use super::{Outcome, rules};
use crate::buildset::notes::{AdviceErrors, Filter};
use crate::buildset::{self, Naming, Request, cmdline::GoCommand, goenv::GoEnv, overlay::Overlay};
use crate::project;
use crate::store::content::Content;

#[derive(Clone, Debug, Default)]
pub struct GoArgs {
    pub aspects: Vec<PathBuf>,
    /// `GOAOP_CONFIG`: the aspects when `aspects` is empty, relative to
    /// the go command's directory (as `-toolexec` builds find it).
    pub config: Option<PathBuf>,
    /// The go subcommand and its arguments.
    pub args: Vec<String>,
    pub color: bool,
}

const SUBCOMMANDS: &[&str] = &["build", "run", "test", "vet", "install"];

pub fn prepare(args: &GoArgs, cwd: &Path) -> Result<Prepared, Outcome> {
    let Some(sub) = args.args.first() else {
        return Err(Outcome::usage(format!(
            "`goaop go` needs a go subcommand: {}",
            SUBCOMMANDS.join(", ")
        )));
    };
    if !SUBCOMMANDS.contains(&sub.as_str()) {
        return Err(Outcome::usage(format!(
            "`goaop go {sub}` is not supported; use one of {}",
            SUBCOMMANDS.join(", ")
        )));
    }
    let cmd = GoCommand::parse(&args.args);
    if cmd.chdir.is_some() {
        refuse_chdir(sub, &args.args)?;
    }
    let dir = match &cmd.chdir {
        Some(d) => cwd.join(d),
        None => cwd.to_path_buf(),
    };
    // GOFLAGS as the go command sees them (the go env file's too); the
    // rule set is built while the go command starts.
    let asking = GoEnv::ask(&dir);
    let aspects = match &args.config {
        Some(f) if args.aspects.is_empty() => vec![dir.join(f)],
        _ => args.aspects.clone(),
    };
    let built = rules::build(&dir, &aspects, args.color);
    let go_env = asking.answer();
    let goflags = match &go_env {
        Some(e) => e.goflags.clone(),
        None => std::env::var("GOFLAGS").unwrap_or_default(),
    };
    if let Some(flag) = cmd.coverage(&goflags) {
        return Err(Outcome::usage(format!(
            "`goaop go {sub}` cannot weave a coverage build ({flag}): the go command ignores \
             -overlay for the files it instruments (golang/go#73802), so they would be built \
             unwoven; use `go {sub} {flag} -toolexec=goaop` instead"
        )));
    }
    if cmd.has_toolexec(&goflags) {
        return Err(Outcome::usage(format!(
            "`goaop go {sub}` weaves up front; with -toolexec (on the command line or in GOFLAGS) \
             the woven files would be woven again: drop it, or use `go {sub} -toolexec=goaop` alone"
        )));
    }
    let (_, rules) = built?;
    let view = rules.view().map_err(|e| failure(format!("goaop: {e}\n")))?;
    let main_module = project::find_module(&dir).map(|m| m.path);
    let user_overlay_file = cmd.overlay_or_goflags(&goflags);
    let user_overlay = match &user_overlay_file {
        Some(f) => Overlay::read_file(f, &dir).map_err(|e| failure(format!("goaop: {e}\n")))?,
        None => Overlay::default(),
    };
    let req = Request {
        dir: &dir,
        patterns: &cmd.patterns,
        flags: &cmd.list_flags,
        overlay_file: user_overlay_file.as_deref(),
        overlay: &user_overlay,
        deps: true,
        tests: cmd.tests(),
        test_skips: false,
        unscoped: false,
        naming: Naming::Absolute,
        keep: go_env.as_ref(),
    };
    // Woven files live in the cache's content store, so a rebuild that
    // weaves the same text writes nothing; without a cache directory, in
    // a scratch directory removed after the build.
    let cache = crate::store::cache_dir();
    let scratch = cache.is_none().then(|| {
        std::env::temp_dir().join(format!(
            "goaop-overlay-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ))
    });
    let store = Content::new(cache.as_deref().or(scratch.as_deref()).unwrap_or(&dir));
    if let Some(c) = &cache {
        crate::store::trim::trim(c, std::time::SystemTime::now());
    }
    let mut lister =
        buildset::Lister::new(&view, &req).map_err(|e| failure(format!("goaop: {e}\n")))?;
    let kept = lister.kept_result(&view, |w: &Woven| store.holds_all(&w.files));
    let woven = match kept {
        Some(w) => w,
        None => {
            let w = weave(
                &view,
                main_module.as_deref(),
                &mut lister,
                &store,
                &user_overlay,
                &dir,
            )?;
            lister.keep_result(&view, &w);
            w
        }
    };
    let Woven {
        overlay,
        mut notes,
        errors,
        ..
    } = woven;
    if cmd.work {
        notes.push_str(&format!(
            "goaop: the woven files are listed in {}\n",
            overlay.display()
        ));
    }
    let mut go_args = vec![sub.clone(), format!("-overlay={}", overlay.display())];
    go_args.extend(cmd.rest.iter().cloned());
    Ok(Prepared {
        notes,
        errors,
        sub: sub.clone(),
        dir,
        args: go_args,
        scratch: scratch.filter(|_| !cmd.work),
    })
}

/// A go command ready to run on woven sources. `main.rs` prints `notes`,
/// runs [`Prepared::command`] with the terminal attached (the go command's
/// output is the user's; its stderr through [`Prepared::filter`] when
/// [`Prepared::filters_stderr`]), then calls [`Prepared::cleanup`].
#[derive(Debug)]
pub struct Prepared {
    /// One line per aspect that skipped join points.
    pub notes: String,
    /// What the notes on errors inside advice say.
    errors: AdviceErrors,
    /// The go subcommand.
    sub: String,
    dir: PathBuf,
    args: Vec<String>,
    /// The woven files' directory when there is no cache directory
    /// (removed after the build, unless `-work` keeps it).
    scratch: Option<PathBuf>,
}

impl Prepared {
    pub fn command(&self) -> Command {
        let mut cmd = Command::new("go");
        cmd.current_dir(&self.dir).args(&self.args);
        cmd
    }

    /// Whether the go command's stderr goes through [`Self::filter`]
    /// (something was woven), given whether stderr is a terminal: not for
    /// `go run` on a terminal, whose program writes to the same stderr and
    /// must keep seeing a terminal.
    pub fn filters_stderr(&self, terminal: bool) -> bool {
        let keeps_terminal = terminal && self.sub == "run";
        !self.errors.is_empty() && !keeps_terminal
    }

    /// The go command's stderr, unchanged, with a note after each error
    /// inside advice (which advice of which aspect, woven where).
    pub fn filter(&self) -> Filter<'_> {
        Filter::new(&self.errors)
    }

    /// Remove the woven files of a build without a cache directory.
    pub fn cleanup(&self) {
        if let Some(d) = &self.scratch {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// What weaving a build hands the go command, kept across builds with its
/// listings (see [`buildset::Lister::kept_result`]).
#[derive(Serialize, Deserialize)]
struct Woven {
    /// The overlay file, in the content store.
    overlay: PathBuf,
    /// Every content entry the build reads (woven files and the overlay
    /// file) with its size: a kept build is used only if all are there.
    files: Vec<(PathBuf, u64)>,
    /// One line per aspect that skipped join points.
    notes: String,
    errors: AdviceErrors,
}

/// Weave what the build compiles into the content store `store`.
fn weave(
    view: &crate::compile::RuleSetRef,
    main_module: Option<&str>,
    lister: &mut buildset::Lister,
    store: &Content,
    user_overlay: &Overlay,
    dir: &Path,
) -> Result<Woven, Outcome> {
    let listed = lister
        .weave(view, main_module)
        .map_err(|e| failure(format!("goaop: {e}\n")))?;
    refuse_module_cache(dir, &listed)?;
    let mut replace: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    let mut files = Vec::new();
    let mut decisions = Vec::new();
    for l in &listed {
        decisions.extend(
            l.woven
                .decisions
                .iter()
                .map(|d| (l.unit.files[d.file].name.as_str(), d)),
        );
        for (f, new) in l.unit.files.iter().zip(&l.woven.files) {
            let Some(new) = new else { continue };
            let original = PathBuf::from(&f.name);
            let name = original.file_name().unwrap_or_default().to_string_lossy();
            let target = store
                .put(&name, new.as_bytes())
                .map_err(|e| failure(format!("goaop: cannot write the woven {}: {e}\n", f.name)))?;
            match replace.get(&original) {
                // One overlay entry per file: every unit compiling it must
                // weave it the same (same text, same content entry).
                Some(seen) if *seen != target => {
                    return Err(failure(format!(
                        "goaop: internal error: {} is woven differently in two compiles of its package\n",
                        f.name
                    )));
                }
                Some(_) => {}
                None => {
                    files.push((target.clone(), new.len() as u64));
                    replace.insert(original, target);
                }
            }
        }
    }
    // A join point decided in two units (a package and its test variant)
    // counts once.
    decisions.sort_by(|a, b| {
        (a.0, a.1.line, &a.1.site, &a.1.aspect).cmp(&(b.0, b.1.line, &b.1.site, &b.1.aspect))
    });
    decisions.dedup_by(|a, b| {
        (a.0, a.1.line, &a.1.site, &a.1.aspect) == (b.0, b.1.line, &b.1.site, &b.1.aspect)
    });
    let json = user_overlay.merged(&replace).to_json();
    let overlay = store
        .put("overlay.json", json.as_bytes())
        .map_err(|e| failure(format!("goaop: cannot write the overlay file: {e}\n")))?;
    files.push((overlay.clone(), json.len() as u64));
    let mut notes = String::new();
    for (aspect, n) in buildset::skip_counts(decisions.iter().map(|(_, d)| *d)) {
        notes.push_str(&format!(
            "goaop: aspect `{aspect}` skipped {n} join point(s); `goaop plan` says why\n"
        ));
    }
    Ok(Woven {
        overlay,
        files,
        notes,
        errors: advice_errors(view, &decisions, dir),
    })
}

/// The notes' facts: the aspects some decision applied, and where.
fn advice_errors(
    view: &crate::compile::RuleSetRef,
    decisions: &[(&str, &crate::weave::Decision)],
    dir: &Path,
) -> AdviceErrors {
    let applied: BTreeSet<&str> = decisions
        .iter()
        .filter(|(_, d)| d.skipped.is_none())
        .map(|(_, d)| d.aspect.as_str())
        .collect();
    let aspects: Vec<_> = (0..view.len())
        .filter_map(|i| view.aspect(i).ok())
        .filter(|a| applied.contains(a.name.as_str()))
        .collect();
    AdviceErrors::new(&aspects, decisions.iter().copied(), Some(dir))
}

/// The go command refuses `-overlay` replacements of files in the module
/// cache (“Files beneath GOMODCACHE must not be replaced”): a package of a
/// dependency the aspects weave (`packages: [github.com/segmentio/kafka-go]`)
/// cannot be woven in driver mode unless it is vendored. Say so, with the
/// ways out, instead of go's error after the weaving.
fn refuse_module_cache(dir: &Path, listed: &[buildset::Listed]) -> Result<(), Outcome> {
    let woven_dependency = |l: &&buildset::Listed| {
        l.woven.files.iter().any(Option::is_some)
            && l.package.module.as_ref().is_some_and(|m| !m.main)
    };
    if !listed.iter().any(|l| woven_dependency(&l)) {
        return Ok(());
    }
    let out = Command::new("go")
        .current_dir(dir)
        .args(["env", "GOMODCACHE"])
        .output()
        .map_err(|e| failure(format!("goaop: cannot run `go env GOMODCACHE`: {e}\n")))?;
    let cache = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if cache.is_empty() {
        return Ok(());
    }
    let cache = Path::new(&cache);
    let mut in_cache: Vec<&str> = listed
        .iter()
        .filter(woven_dependency)
        .filter(|l| l.package.dir.starts_with(cache))
        .map(|l| l.package.import_path.as_str())
        .collect();
    in_cache.dedup();
    if in_cache.is_empty() {
        return Ok(());
    }
    Err(failure(format!(
        "goaop: driver mode cannot weave {}: its files are in the module cache ({}), \
         where the go command refuses -overlay replacements.\n\
         Use `go build -toolexec=goaop` (it weaves any package), or vendor the module \
         (`go mod vendor`, then `goaop go build -mod=vendor`).\n",
        in_cache.join(", "),
        cache.display()
    )))
}

/// The go command takes `-C` only as the first flag, and reads `GOENV` and
/// looks up its C compiler (and itself) on PATH before it changes
/// directory; goaop runs its go commands in the `-C` directory, so a
/// relative `GOENV` or PATH entry would name other files than the user's
/// go command reads. Refused instead of built differently.
fn refuse_chdir(sub: &str, args: &[String]) -> Result<(), Outcome> {
    let first = args.get(1).map(String::as_str).unwrap_or_default();
    let is_c = |a: &str| {
        let name = a.strip_prefix("--").or_else(|| a.strip_prefix('-'));
        name.is_some_and(|n| n == "C" || n.starts_with("C="))
    };
    if !is_c(first) {
        return Err(Outcome::usage(format!(
            "`goaop go {sub}`: the -C flag must be the first flag on the command line, \
             as the go command requires"
        )));
    }
    if crate::store::kept::relative_lookups() {
        return Err(Outcome::usage(format!(
            "`goaop go {sub} -C`: GOENV or an entry of PATH is a relative path, which the go \
             command resolves before it changes directory and goaop after; make it absolute"
        )));
    }
    Ok(())
}

fn failure(stderr: String) -> Outcome {
    Outcome {
        stderr,
        code: 1,
        ..Default::default()
    }
}
