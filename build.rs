//! Link the `goaop` executable at a fixed address (not as a
//! position-independent executable) on Linux. `go build -toolexec=goaop`
//! starts goaop once per tool call, hundreds of times per build, and for a
//! PIE the dynamic loader first patches every pointer in the binary's
//! read-only data (tens of thousands of relocations, one page fault per
//! page touched): about 1 ms per call on the machines we measured, most of
//! what a pass-through call costs. A fixed-address executable has them
//! resolved at link time. Libraries and tests are unaffected.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // A static build (`-C target-feature=+crt-static`) is linked by rustc
    // as it asks (`-static-pie`, or `-static` with `-C
    // relocation-model=static`): `-no-pie` on top of `-static-pie` gave an
    // executable that asks for the dynamic loader and crashes in it.
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let static_crt = features.split(',').any(|f| f == "crt-static");
    if os == "linux" && !static_crt {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
