//! The compiler's and linker's command lines: `@responsefile` expansion
//! (cmd/go writes one when the command line is long) and the few flags the
//! backend reads or swaps.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// A tool command line, response files expanded.
#[derive(Debug, Clone)]
pub struct ToolArgs {
    pub args: Vec<String>,
    /// A response file was used: write the new command line to one too.
    pub had_response_file: bool,
}

impl ToolArgs {
    pub fn parse(raw: &[OsString]) -> Result<ToolArgs, String> {
        let mut args = Vec::with_capacity(raw.len());
        let mut had_response_file = false;
        for a in raw {
            let a = a
                .to_str()
                .ok_or_else(|| format!("non-UTF-8 argument {}", a.to_string_lossy()))?;
            if let Some(file) = a.strip_prefix('@') {
                had_response_file = true;
                let text = std::fs::read_to_string(file)
                    .map_err(|e| format!("cannot read response file {file}: {e}"))?;
                args.extend(text.lines().map(decode_arg));
            } else {
                args.push(a.to_string());
            }
        }
        Ok(ToolArgs {
            args,
            had_response_file,
        })
    }

    /// The index of the value of `-flag value` or `-flag=value`, and the
    /// value.
    fn value_at(&self, flag: &str) -> Option<(usize, &str, bool)> {
        let eq = format!("{flag}=");
        let mut i = 0;
        while i < self.args.len() {
            let a = &self.args[i];
            if a == flag {
                return self.args.get(i + 1).map(|v| (i + 1, v.as_str(), false));
            }
            if let Some(v) = a.strip_prefix(&eq) {
                return Some((i, v, true));
            }
            i += 1;
        }
        None
    }

    pub fn value(&self, flag: &str) -> Option<&str> {
        self.value_at(flag).map(|(_, v, _)| v)
    }

    /// Replace the value of `flag` (which must be present).
    pub fn set_value(&mut self, flag: &str, value: &str) {
        if let Some((i, _, inline)) = self.value_at(flag) {
            self.args[i] = if inline {
                format!("{flag}={value}")
            } else {
                value.to_string()
            };
        }
    }

    /// The indices of the trailing `.go` file arguments (the compiler's
    /// flags all come before its files).
    pub fn go_files(&self) -> std::ops::Range<usize> {
        let end = self.args.len();
        let mut start = end;
        while start > 0 {
            let a = &self.args[start - 1];
            if a.starts_with('-') || !a.ends_with(".go") {
                break;
            }
            start -= 1;
        }
        start..end
    }

    /// The final command line: inline, or in a new response file in `dir`
    /// when the go command used one (the line may be too long otherwise).
    pub fn render(&self, dir: &Path) -> Result<Vec<OsString>, String> {
        if !self.had_response_file {
            return Ok(self.args.iter().map(OsString::from).collect());
        }
        let file: PathBuf = dir.join("args.rsp");
        let mut text = String::new();
        for a in &self.args {
            text.push_str(&encode_arg(a));
            text.push('\n');
        }
        std::fs::write(&file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        Ok(vec![OsString::from(format!("@{}", file.display()))])
    }
}

/// cmd/internal/objabi's DecodeArg: `\\` and `\n` escapes.
fn decode_arg(line: &str) -> String {
    if !line.contains('\\') {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// cmd/go's encodeArg, the inverse of [`decode_arg`].
fn encode_arg(arg: &str) -> String {
    arg.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> ToolArgs {
        ToolArgs {
            args: a.iter().map(|s| s.to_string()).collect(),
            had_response_file: false,
        }
    }

    #[test]
    fn flags_and_files() {
        let mut t = args(&[
            "-o",
            "/w/b001/_pkg_.a",
            "-p",
            "main",
            "-lang=go1.22",
            "-importcfg",
            "/w/b001/importcfg",
            "-pack",
            "/src/a.go",
            "/src/b.go",
        ]);
        assert_eq!(t.value("-p"), Some("main"));
        assert_eq!(t.value("-lang"), Some("go1.22"));
        assert_eq!(t.go_files(), 8..10);
        t.set_value("-importcfg", "/x");
        t.set_value("-lang", "go1.23");
        assert_eq!(t.value("-importcfg"), Some("/x"));
        assert_eq!(t.args[4], "-lang=go1.23");
    }

    #[test]
    fn response_file_escapes_roundtrip() {
        for s in ["plain", "a\\b", "line\nbreak", "\\n"] {
            assert_eq!(decode_arg(&encode_arg(s)), s);
        }
    }
}
