//! Matching against a loaded rule set: which aspects can apply in a
//! package ([`RuleSetRef::packages`]), and which hold for one function,
//! call or reference (`match_*`), by running the signature prefilter, the
//! lazily validated verifier DFAs and the pointcut programs.

use super::*;

impl<'a> RuleSetRef<'a> {
    /// Which aspects can apply in package `pkg`, the main module being
    /// `main_module`. Run once per package. `pkg` must be the package's
    /// import path: the compiler's `-p main` for a command, and the
    /// `[x.test]` suffix of a test variant, are the caller's to map.
    /// Aspects whose pointcut may still hold for some function or call are
    /// kept, whatever their signature atoms say.
    pub fn packages(
        &self,
        pkg: &str,
        main_module: Option<&str>,
    ) -> Result<PackageScope, LoadError> {
        let mut pkg_hits = vec![0u64; self.n_pkgs.div_ceil(64)];
        if self.n_pkgs > 0 {
            let input = Input::new(pkg).anchored(Anchored::Yes);
            let mut state = OverlappingState::start();
            loop {
                self.packages
                    .try_search_overlapping_fwd(&input, &mut state)
                    .map_err(search_err("package DFA"))?;
                match state.get_match() {
                    Some(m) => set_bit(&mut pkg_hits, m.pattern().as_u32()),
                    None => break,
                }
            }
        }
        let main = package::in_module(pkg, main_module);
        let mut scope = PackageScope {
            rule_set: self.fingerprint,
            in_scope: vec![0; self.n_aspects.div_ceil(64)],
            always: [Vec::new(), Vec::new(), Vec::new()],
            counts: [0; KINDS],
            pkg_hits,
            main,
            call_sig: false,
        };
        for a in 0..self.n_aspects as u32 {
            let e = self.entry(a);
            // Whether a function is used as a value is only known per site.
            let known = |atom: Atom, rest: Truth| match atom {
                Atom::Pkg(id) => Truth::from_bool(bit(&scope.pkg_hits, id)),
                Atom::Main => Truth::from_bool(main),
                Atom::Sig(_) | Atom::Call(_) => rest,
                Atom::AsValue => Truth::Unknown,
            };
            if program::eval(self.program(&e), e.max_stack, |x| known(x, Truth::Unknown))
                == Truth::False
            {
                continue;
            }
            // A candidate whatever the signature or callee (decided per site
            // when only `as-value` is unknown).
            let always = program::eval(self.program(&e), e.max_stack, |x| known(x, Truth::False))
                != Truth::False;
            set_bit(&mut scope.in_scope, a);
            scope.counts[e.kind] += 1;
            if always {
                scope.always[e.kind].push(a);
            }
            if e.kind == CALL && e.has_sig {
                scope.call_sig = true;
            }
        }
        Ok(scope)
    }

    /// Whether some aspect can select a package outside the main module
    /// (a `packages:` pattern, or a pointcut that does not require the
    /// main module): the packages a build weaves may then include the
    /// standard library's or any other module's, listed or not yet.
    pub fn reaches_beyond_main_module(&self) -> bool {
        (0..self.n_aspects as u32).any(|a| {
            let e = self.entry(a);
            program::eval(self.program(&e), e.max_stack, |x| match x {
                Atom::Main => Truth::False,
                _ => Truth::Unknown,
            }) != Truth::False
        })
    }

    /// `scope` narrowed to the aspects `keep` accepts (by aspect id): the
    /// build weaves a test variant's `_test.go` files with the aspects that
    /// set `tests: true` only.
    pub fn restrict(&self, scope: &PackageScope, keep: impl Fn(usize) -> bool) -> PackageScope {
        let mut out = scope.clone();
        out.in_scope.iter_mut().for_each(|w| *w = 0);
        out.counts = [0; KINDS];
        out.call_sig = false;
        for a in scope.candidates() {
            if !keep(a) {
                continue;
            }
            let e = self.entry(a as u32);
            set_bit(&mut out.in_scope, a as u32);
            out.counts[e.kind] += 1;
            out.call_sig |= e.kind == CALL && e.has_sig;
        }
        for always in &mut out.always {
            always.retain(|&a| keep(a as usize));
        }
        out
    }

    /// The execution aspects whose whole pointcut holds for the function
    /// with this canonical signature, in application order (by `order`,
    /// then declaration). `out` is cleared first.
    pub fn match_function(
        &self,
        scope: &PackageScope,
        signature: &str,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        self.match_function_as(scope, signature, &mut || false, out)
    }

    /// Like [`Self::match_function`]; `as_value` says whether the function
    /// is used as a value in its package (asked only when an `as-value`
    /// condition decides).
    pub fn match_function_as(
        &self,
        scope: &PackageScope,
        signature: &str,
        as_value: &mut dyn FnMut() -> bool,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        out.clear();
        self.check_scope(scope)?;
        if !scope.has_functions() {
            return Ok(());
        }
        let sigs = self.matching_sigs(scope, EXEC, signature)?;
        self.decide(scope, EXEC, &sigs, None, as_value, out);
        Ok(())
    }

    /// The call aspects whose pointcut holds for a call of `callee`
    /// (`database/sql.Open`, `(*net/http.Client).Do`). Signature atoms in a
    /// call aspect's pointcut test the *calling* function's signature; here
    /// there is none, so they are false: see [`Self::match_call_in`].
    pub fn match_call(
        &self,
        scope: &PackageScope,
        callee: &str,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        self.match_call_inner(scope, callee, None, out)
    }

    /// Like [`Self::match_call`], for a call made inside the function with
    /// signature `caller`.
    pub fn match_call_in(
        &self,
        scope: &PackageScope,
        callee: &str,
        caller: &str,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        self.match_call_inner(scope, callee, Some(caller), out)
    }

    /// The ref aspects whose pointcut holds for a value use of the
    /// package-level member `target` (`net/http.DefaultTransport`).
    /// Signature atoms are false, as for [`Self::match_call`].
    pub fn match_ref(
        &self,
        scope: &PackageScope,
        target: &str,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        out.clear();
        self.check_scope(scope)?;
        if !scope.has_refs() {
            return Ok(());
        }
        let id = self.call_id(target.as_bytes());
        self.decide(scope, REF, &[], id, &mut || false, out);
        Ok(())
    }

    fn match_call_inner(
        &self,
        scope: &PackageScope,
        callee: &str,
        caller: Option<&str>,
        out: &mut Vec<usize>,
    ) -> Result<(), LoadError> {
        out.clear();
        self.check_scope(scope)?;
        if !scope.has_calls() {
            return Ok(());
        }
        let call = self.call_id(callee.as_bytes());
        let sigs = match caller {
            Some(sig) if scope.call_sig => self.matching_sigs(scope, CALL, sig)?,
            _ => Vec::new(),
        };
        self.decide(scope, CALL, &sigs, call, &mut || false, out);
        Ok(())
    }

    fn check_scope(&self, scope: &PackageScope) -> Result<(), LoadError> {
        if scope.rule_set == self.fingerprint && scope.in_scope.len() == self.n_aspects.div_ceil(64)
        {
            Ok(())
        } else {
            Err(LoadError::ForeignScope)
        }
    }

    /// Evaluate the candidate aspects of `kind` and push those that hold.
    fn decide(
        &self,
        scope: &PackageScope,
        kind: usize,
        sigs: &[u32],
        call: Option<u32>,
        as_value: &mut dyn FnMut() -> bool,
        out: &mut Vec<usize>,
    ) {
        let mut cands: Vec<u32> = scope.always[kind].clone();
        let mut add = |a: u32| {
            if scope.contains(a) && self.entry(a).kind == kind {
                cands.push(a);
            }
        };
        for &s in sigs {
            self.sig_aspects.row(s as usize).for_each(&mut add);
        }
        if let Some(c) = call {
            self.call_aspects.row(c as usize).for_each(&mut add);
        }
        cands.sort_unstable();
        cands.dedup();
        let mut hits: Vec<(u32, usize)> = Vec::with_capacity(cands.len());
        for a in cands {
            let e = self.entry(a);
            let v = program::eval(self.program(&e), e.max_stack, |atom| match atom {
                Atom::Sig(id) => Truth::from_bool(sigs.binary_search(&id).is_ok()),
                Atom::Pkg(id) => Truth::from_bool(bit(&scope.pkg_hits, id)),
                Atom::Main => Truth::from_bool(scope.main),
                Atom::Call(id) => Truth::from_bool(call == Some(id)),
                Atom::AsValue => Truth::from_bool(as_value()),
            });
            if v == Truth::True {
                hits.push((e.rank, a as usize));
            }
        }
        hits.sort_unstable();
        out.extend(hits.into_iter().map(|(_, a)| a));
    }

    /// The ids of the signature patterns that match `signature`, among those
    /// used by an in-scope aspect of `kind`; sorted.
    fn matching_sigs(
        &self,
        scope: &PackageScope,
        kind: usize,
        signature: &str,
    ) -> Result<Vec<u32>, LoadError> {
        let lazy = self.lazy()?;
        let relevant = |s: u32| {
            self.sig_aspects
                .row(s as usize)
                .any(|a| scope.contains(a) && self.entry(a).kind == kind)
        };
        let mut factors = Vec::new();
        let input = Input::new(signature);
        let mut state = OverlappingState::start();
        loop {
            lazy.prefilter
                .try_search_overlapping_fwd(&input, &mut state)
                .map_err(search_err("prefilter DFA"))?;
            match state.get_match() {
                Some(m) => factors.push(m.pattern().as_u32()),
                None => break,
            }
        }
        factors.sort_unstable();
        factors.dedup();
        let mut hits = Vec::new();
        let mut verify = Vec::new();
        for f in factors {
            for s in self.factor_sigs.row(f as usize) {
                if relevant(s) {
                    if self.is_exact(s) {
                        hits.push(s)
                    } else {
                        verify.push(s)
                    }
                }
            }
        }
        verify.extend(
            self.residual
                .range(0, self.residual.len())
                .filter(|&s| relevant(s)),
        );
        verify.sort_unstable();
        verify.dedup();
        for s in verify {
            let dfa = self.verifier(lazy, s)?;
            let m = dfa
                .try_search_fwd(&input.clone().earliest(true))
                .map_err(search_err("verifier DFA"))?;
            if m.is_some() {
                hits.push(s);
            }
        }
        hits.sort_unstable();
        hits.dedup();
        Ok(hits)
    }
}
