//! Arbitrary bytes through load → check → compile, as an `aspects.yaml` and
//! as a `.aspect` file. Each run happens on a thread with a 512 KiB stack, so
//! a recursion on the size of the input crashes here (a finding) instead of
//! fitting in the main thread's 8 MiB. libFuzzer's `-timeout` and
//! `-rss_limit_mb` turn slow and memory-hungry inputs into findings too.
//! The automata limits are 2 MiB instead of 32: a pattern that hits them
//! takes a second in a release build and many under the fuzzer's
//! instrumentation, and every path (too big included) is still taken.
#![no_main]

use goaop::check::check_files;
use goaop::compile::{Limits, RuleSetBuilder};
use goaop::diag::Sources;
use libfuzzer_sys::fuzz_target;

fn pipeline(name: &'static str, text: String) {
    std::thread::Builder::new()
        .stack_size(512 << 10)
        .spawn(move || {
            let mut sources = Sources::new();
            let id = sources.add(name, text);
            let out = check_files(&mut sources, &[id]);
            let _ = goaop::diag::render::human(&sources, &out.diagnostics, false);
            for d in &out.diagnostics {
                assert!(d.primary.span.range.end <= sources.get(d.primary.span.file).text.len());
            }
            if !out.has_errors()
                && let Err(errors) = RuleSetBuilder::new()
                    .limits(Limits::uniform(2 << 20))
                    .build(&out.aspects)
            {
                assert!(errors.iter().all(|e| e.code().starts_with("E03")), "{errors:?}");
            }
        })
        .expect("spawn")
        .join()
        .expect("the pipeline panicked");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    pipeline("fuzz.yaml", text.to_string());
    pipeline("fuzz.aspect", text.to_string());
});
