//! Finding the aspects of a toolexec build: `--config FILE` (from
//! `-toolexec='goaop --config FILE'`), else `GOAOP_CONFIG`, else the aspect
//! files of the module the go command runs in. A toolexec process runs in
//! the package's directory, so "the go command's directory" is read from
//! the parent process (`/proc/<ppid>/cwd` on Linux).

use std::path::{Path, PathBuf};

use crate::outcome::Outcome;
use crate::project::{self, Module};

/// The aspect files of this build and the main module.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Project {
    /// The go command's working directory: relative paths and diagnostics
    /// are relative to it.
    pub go_cwd: PathBuf,
    pub module: Option<Module>,
    /// Absolute paths.
    pub aspect_files: Vec<PathBuf>,
}

impl Project {
    pub fn module_path(&self) -> Option<&str> {
        self.module.as_ref().map(|m| m.path.as_str())
    }
}

/// The go command's working directory.
pub fn go_cwd() -> PathBuf {
    parent_cwd()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The parent process's working directory, where the platform says it.
pub fn parent_cwd() -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        let ppid = std::os::unix::process::parent_id();
        std::fs::read_link(format!("/proc/{ppid}/cwd")).ok()
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Find the aspects; none at all is an error (exit 2): a build the user
/// asked to instrument must never come out silently uninstrumented.
pub fn find(config: Option<&Path>) -> Result<Project, Outcome> {
    let go_cwd = go_cwd();
    let module = project::find_module(&go_cwd);
    let explicit = config
        .map(Path::to_path_buf)
        .or_else(project::config_from_env);
    let aspect_files = match explicit {
        Some(f) => vec![go_cwd.join(f)],
        None => {
            let Some(m) = &module else {
                return Err(Outcome::usage(format!(
                    "goaop -toolexec: no go.mod in {} or above, and no aspects given; \
                     use -toolexec='goaop --config FILE' or set GOAOP_CONFIG",
                    go_cwd.display()
                )));
            };
            let files = project::aspect_files(&m.root);
            if files.is_empty() {
                return Err(Outcome::usage(format!(
                    "goaop -toolexec: module {} has no aspects (looked for {} and *.aspect in {}); \
                     add one, or use -toolexec='goaop --config FILE'",
                    m.path,
                    project::ASPECT_FILE_NAMES.join(", "),
                    m.root.display()
                )));
            }
            files
        }
    };
    Ok(Project {
        go_cwd,
        module,
        aspect_files,
    })
}
