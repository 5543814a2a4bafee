//! Command implementations. Each returns what to print and the exit code;
//! `main.rs` does the printing.
