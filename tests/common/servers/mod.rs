//! Real servers the end-to-end tests run against, each on a free loopback
//! port in its own temp dir, stopped (and its files removed) when dropped —
//! also when an assertion panics. A missing server is a loud failure naming
//! the package to install, never a skip.

pub mod kafka;
pub mod postgres;
pub mod redis;
