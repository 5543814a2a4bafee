//! Every example in aspects/ exists in YAML and in the DSL; both spellings
//! must check to the same aspects (equal except for where they were
//! written), so their normalised fingerprints are equal.

mod common;

use std::path::PathBuf;

use goaop::cli::check::load_and_check;
use goaop::compile::normalized_fingerprint;

#[test]
fn yaml_and_dsl_spellings_compile_to_the_same_rule_set() {
    let dir = common::root().join("aspects");
    let yamls = common::fixtures("aspects", &["yaml"]);
    let mut pairs = 0;
    for yaml in yamls {
        let stem = yaml.file_stem().unwrap().to_str().unwrap();
        let dsl = PathBuf::from(format!("{stem}.aspect"));
        if !dir.join(&dsl).exists() {
            assert_eq!(stem, "short_form", "{stem}.yaml has no DSL twin");
            continue;
        }
        let a = load_and_check(&dir, &[PathBuf::from(format!("{stem}.yaml"))]);
        let b = load_and_check(&dir, &[dsl]);
        assert!(
            !a.checked.has_errors() && !b.checked.has_errors(),
            "{stem}: {:?} {:?}",
            a.checked.diagnostics,
            b.checked.diagnostics
        );
        let (mut x, mut y) = (a.checked.aspects.clone(), b.checked.aspects.clone());
        // Compare the model itself for a readable failure, origins (and the
        // columns of template lines, which follow the file's indentation)
        // aside.
        let clear = |t: &mut goaop::check::Template| {
            t.origin = Default::default();
            t.columns.iter_mut().for_each(|c| *c = 1);
            t.lines.clear();
        };
        for asp in x.iter_mut().chain(y.iter_mut()) {
            asp.origin = Default::default();
            for t in [
                &mut asp.advice.before,
                &mut asp.advice.after,
                &mut asp.advice.around,
                &mut asp.advice.replace,
                &mut asp.advice.wrap,
            ]
            .into_iter()
            .flatten()
            {
                clear(t);
            }
            asp.advice.append_args.iter_mut().for_each(clear);
            for s in &mut asp.advice.set_fields {
                clear(&mut s.template);
            }
        }
        assert_eq!(x, y, "{stem}: YAML and DSL spellings differ");
        assert_eq!(
            normalized_fingerprint(&a.checked.aspects),
            normalized_fingerprint(&b.checked.aspects),
            "{stem}: normalised fingerprints differ"
        );
        pairs += 1;
    }
    assert!(
        pairs >= 7,
        "expected every example in both languages, found {pairs} pairs"
    );
}

#[test]
fn normalised_fingerprint_sees_content_changes() {
    let dir = common::root().join("aspects");
    let a = load_and_check(&dir, &[PathBuf::from("tracing.yaml")]);
    let b = load_and_check(&dir, &[PathBuf::from("tracing_typed.yaml")]);
    assert_ne!(
        normalized_fingerprint(&a.checked.aspects),
        normalized_fingerprint(&b.checked.aspects)
    );
}
