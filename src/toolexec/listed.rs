//! One package as a nested `go list -json` describes it ([`Listed`]), and
//! what a kept answer about it must watch: an editable package's
//! directory, the directories and trees of the files it embeds, its
//! module's go.mod ([`crate::store::kept`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::store::kept;

/// One package of a nested `go list -json` (the fields either list asks
/// for; the others stay empty).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Listed {
    pub import_path: String,
    #[serde(default)]
    pub export: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub standard: bool,
    #[serde(default)]
    pub module: Option<ListedModule>,
    #[serde(default)]
    pub error: Option<ListError>,
    /// Every file the package is built from (`go list -json` names).
    #[serde(default, rename = "GoFiles")]
    pub go_files: Vec<String>,
    #[serde(default, rename = "CgoFiles")]
    pub cgo_files: Vec<String>,
    #[serde(default, rename = "CFiles")]
    pub c_files: Vec<String>,
    #[serde(default, rename = "CXXFiles")]
    pub cxx_files: Vec<String>,
    #[serde(default, rename = "MFiles")]
    pub m_files: Vec<String>,
    #[serde(default, rename = "HFiles")]
    pub h_files: Vec<String>,
    #[serde(default, rename = "FFiles")]
    pub f_files: Vec<String>,
    #[serde(default, rename = "SFiles")]
    pub s_files: Vec<String>,
    #[serde(default, rename = "SwigFiles")]
    pub swig_files: Vec<String>,
    #[serde(default, rename = "SwigCXXFiles")]
    pub swig_cxx_files: Vec<String>,
    #[serde(default, rename = "SysoFiles")]
    pub syso_files: Vec<String>,
    #[serde(default, rename = "EmbedFiles")]
    pub embed_files: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListedModule {
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub go_version: String,
    /// The module's root directory.
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub replace: Option<Box<ListedModule>>,
}

impl Listed {
    /// Whether the package's directory can change without go.mod, go.sum
    /// or the toolchain changing (see [`kept::editable`]).
    pub fn editable(&self) -> bool {
        kept::editable(self.standard, &self.dir, self.module_version())
    }

    /// The directories a kept answer about an [editable](Self::editable)
    /// package must watch: its own, and those of its embedded files
    /// (`//go:embed data/x.txt` reads a subdirectory). None for other
    /// packages.
    pub fn watched_dirs(&self) -> Vec<PathBuf> {
        if !self.editable() {
            return Vec::new();
        }
        let dir = Path::new(&self.dir);
        let mut dirs = vec![dir.to_path_buf()];
        for f in &self.embed_files {
            if let Some(parent) = dir.join(f).parent()
                && !dirs.iter().any(|d| d == parent)
            {
                dirs.push(parent.to_path_buf());
            }
        }
        dirs
    }

    /// What a kept answer about an [editable](Self::editable) package
    /// watches by status (present or absent):
    /// - its module's go.mod ([`Self::module_file`]), and a go.mod in each
    ///   directory from the package's up to the module root (one appearing
    ///   there moves the package into another module);
    /// - if it embeds files, its own directory and every directory below
    ///   it, empty ones included, up to nested modules. A directory's
    ///   fingerprint covers its files only, so `//go:embed static` over
    ///   `static/css/` and `static/js/` would miss a new
    ///   `static/img/logo.png`; its status does not (an entry added,
    ///   removed or renamed moves it). The whole tree, not just the
    ///   directories of the files embedded now: `//go:embed */*.txt`
    ///   takes a file added to a directory that holds none yet.
    pub fn watched_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self.module_file().into_iter().collect();
        if !self.editable() {
            return files;
        }
        let dir = Path::new(&self.dir);
        if let Some(root) = files
            .first()
            .and_then(|f| f.parent())
            .map(Path::to_path_buf)
        {
            for d in dir
                .ancestors()
                .take_while(|d| d.starts_with(&root) && *d != root)
            {
                files.push(d.join("go.mod"));
            }
        }
        if !self.embed_files.is_empty() {
            subdirectories(dir, &mut files);
        }
        files
    }

    /// The go.mod of an [editable](Self::editable) package's module (its
    /// `go` line sets the language the package compiles as), also of a
    /// `replace => ../dir` module.
    pub fn module_file(&self) -> Option<PathBuf> {
        let m = self.module.as_ref().filter(|_| self.editable())?;
        let root = &m.replace.as_deref().unwrap_or(m).dir;
        (!root.is_empty()).then(|| Path::new(root).join("go.mod"))
    }

    /// Whether the package is in the module cache (`…/path@version/…`).
    pub fn in_module_cache(&self) -> bool {
        !kept::editable(false, &self.dir, self.module_version())
    }

    /// The version of the package's module, or of its replacement.
    fn module_version(&self) -> Option<&str> {
        let m = self.module.as_ref()?;
        Some(m.replace.as_deref().unwrap_or(m).version.as_str())
    }

    /// The names of the package's source files, of every kind.
    pub fn files(&self) -> impl Iterator<Item = &String> {
        [
            &self.go_files,
            &self.cgo_files,
            &self.c_files,
            &self.cxx_files,
            &self.m_files,
            &self.h_files,
            &self.f_files,
            &self.s_files,
            &self.swig_files,
            &self.swig_cxx_files,
            &self.syso_files,
            &self.embed_files,
        ]
        .into_iter()
        .flatten()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListError {
    pub err: String,
}

/// `dir` and every directory below it (symbolic links not followed, as
/// `//go:embed` does not, so none comes twice; not into another module,
/// which embeds cannot reach).
fn subdirectories(dir: &Path, out: &mut Vec<PathBuf>) {
    out.push(dir.to_path_buf());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut subs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|d| !d.join("go.mod").exists())
        .collect();
    subs.sort();
    for s in subs {
        subdirectories(&s, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An editable package's kept answer watches the directories of its
    /// embedded files and its module's root (go.mod's `go` line), also of
    /// a `replace => ../dir` module; a module-cache package's none.
    #[test]
    fn the_watched_directories_of_a_package() {
        let listed = |json: &str| -> Listed { serde_json::from_str(json).unwrap() };
        let local = listed(
            r#"{"ImportPath":"m/obs","Dir":"/m/internal/obs",
                "EmbedFiles":["data/msg.txt","data/sub/x.txt","top.txt"],
                "Module":{"Path":"m","Dir":"/m"}}"#,
        );
        let dirs = [
            "/m/internal/obs",
            "/m/internal/obs/data",
            "/m/internal/obs/data/sub",
        ];
        assert_eq!(local.watched_dirs(), dirs.map(PathBuf::from));
        assert_eq!(local.module_file(), Some(PathBuf::from("/m/go.mod")));
        let replaced = listed(
            r#"{"ImportPath":"lib/x","Dir":"/lib/x",
                "Module":{"Path":"lib","Version":"v1.0.0","Replace":{"Path":"../lib","Dir":"/lib"}}}"#,
        );
        assert_eq!(replaced.watched_dirs(), [PathBuf::from("/lib/x")]);
        assert_eq!(replaced.module_file(), Some(PathBuf::from("/lib/go.mod")));
        let cached = listed(
            r#"{"ImportPath":"x.io/y","Dir":"/mc/x.io/y@v1.0.0",
                "Module":{"Path":"x.io/y","Version":"v1.0.0","Dir":"/mc/x.io/y@v1.0.0"}}"#,
        );
        assert!(cached.watched_dirs().is_empty() && cached.module_file().is_none());
    }

    /// An editable package that embeds files watches, by status, every
    /// directory of its embedded trees (empty ones too) and its own
    /// directory, so a new subdirectory is seen.
    #[test]
    fn the_embedded_trees_are_watched_by_status() {
        let m = tempfile::tempdir().unwrap();
        let pkg = m.path().join("internal/obs");
        for d in [
            "static/css",
            "static/js",
            "static/empty/deeper",
            "other",
            "sub",
        ] {
            std::fs::create_dir_all(pkg.join(d)).unwrap();
        }
        std::fs::write(pkg.join("sub/go.mod"), "module m/sub\n").unwrap();
        let json = serde_json::json!({
            "ImportPath": "m/internal/obs",
            "Dir": pkg,
            "EmbedFiles": ["static/css/a.css", "static/js/b.js", "top.txt"],
            "Module": {"Path": "m", "Dir": m.path()},
        });
        let listed: Listed = serde_json::from_value(json).unwrap();
        let mut want: Vec<PathBuf> = vec![
            m.path().join("go.mod"),
            pkg.join("go.mod"),
            m.path().join("internal/go.mod"),
            pkg.clone(),
        ];
        for d in [
            "other",
            "static",
            "static/css",
            "static/empty",
            "static/empty/deeper",
            "static/js",
        ] {
            want.push(pkg.join(d));
        }
        assert_eq!(
            listed.watched_files(),
            want,
            "other/ too (`*/*.txt` reaches it); not sub/, another module"
        );

        let json = serde_json::json!({
            "ImportPath": "m/internal/obs", "Dir": pkg, "Module": {"Path": "m", "Dir": m.path()},
        });
        let plain: Listed = serde_json::from_value(json).unwrap();
        assert_eq!(
            plain.watched_files(),
            [
                m.path().join("go.mod"),
                pkg.join("go.mod"),
                m.path().join("internal/go.mod")
            ]
        );
    }
}
