//! Aspect packs: what a `use:` entry names, as plain data.
//!
//! A pack is a name and a set of aspect files. Bundled integrations
//! (`use: [otel]`) are packs whose files are embedded in the binary
//! ([`Pack::bundled`]); third-party packs (`use: [example.com/acme/kafka]`)
//! are Go packages whose directory ships `aspects.yaml` and/or `*.aspect`
//! files, found through the user's module graph by [`resolve`] (the only
//! part that touches the file system or runs `go`). `check` receives the
//! packs already read ([`Packs`]) and treats both kinds alike: it adds their
//! files to its sources, checks their aspects and follows their own `use:`.

pub mod discover;
pub mod resolve;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::bundled::BundledFile;

/// One aspect file of a pack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackFile {
    /// Shown in diagnostics and written into `//line` directives: the real
    /// path on disk (relative to the working directory when inside it), or
    /// `<bundled>/name.yaml`.
    pub name: Cow<'static, str>,
    pub text: Cow<'static, str>,
}

/// Where a pack comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackFrom {
    /// Embedded in goaop.
    Bundled,
    /// A package directory of a module in the user's module graph.
    Module {
        module: String,
        /// As go.mod pins it (empty for the main module or a workspace one).
        version: String,
        dir: PathBuf,
    },
}

/// A pack: the name written in `use:` and its aspect files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pack {
    pub name: String,
    pub files: Vec<PackFile>,
    pub from: PackFrom,
}

impl Pack {
    /// A bundled integration as a pack (its one embedded file).
    pub fn bundled(file: &'static BundledFile) -> Pack {
        Pack {
            name: file.name.to_string(),
            files: vec![PackFile {
                name: Cow::Borrowed(file.path),
                text: Cow::Borrowed(file.text),
            }],
            from: PackFrom::Bundled,
        }
    }
}

/// Why a `use:` entry naming a Go package gives no pack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackProblem {
    /// Not a valid Go import path (why).
    BadPath(String),
    /// The aspects are not checked inside a Go module (nothing to resolve
    /// the path against).
    NoModule,
    /// No module the main module requires provides the path.
    NotRequired,
    /// The providing module is known but its directory was not found.
    NoDir { module: String, detail: String },
    /// The package directory (as shown to the user) holds no aspect file.
    NoAspectFiles { dir: PathBuf },
    /// An aspect file of the pack could not be read.
    Unreadable { file: String, detail: String },
}

/// The packs of one run, by the name `use:` gives them; bundled ones are
/// not listed (they come from the binary).
#[derive(Clone, Debug, Default)]
pub struct Packs {
    pub by_name: BTreeMap<String, Result<Pack, PackProblem>>,
}

impl Packs {
    /// The pack `use:` means by `name`: a bundled integration first, then
    /// a resolved Go package; `None` when neither is known.
    pub fn get(&self, name: &str) -> Option<Result<Pack, PackProblem>> {
        if let Some(f) = crate::bundled::integration(name) {
            return Some(Ok(Pack::bundled(f)));
        }
        self.by_name.get(name).cloned()
    }
}

/// Whether a `use:` entry names a Go package (a pack) rather than a bundled
/// integration: like an import path outside the standard library, its first
/// element holds a dot (`example.com/acme/kafka`; bundled names are `otel`,
/// `net/http`).
pub fn is_pack_path(name: &str) -> bool {
    crate::bundled::integration(name).is_none() && !crate::gomod::is_std(name)
}
