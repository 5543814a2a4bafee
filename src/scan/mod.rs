//! Stage 4 — scan: Go source files into function and call sites with
//! canonical signatures (DESIGN §3).
