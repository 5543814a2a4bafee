//! Pointcuts compiled to small postfix boolean programs over pattern ids.
//!
//! A program is a sequence of `u32` words, each an operation: a tag in the
//! top 3 bits and an operand in the low 29. Atoms push a truth value, `And(n)`
//! / `Or(n)` pop `n` values and push one, `Not` flips the top. Programs are
//! evaluated in Kleene three-valued logic so that the same code serves both
//! the per-package partial evaluation (signatures and callees still unknown)
//! and the final per-site decision. Programs stored in an artifact are
//! validated once at load ([`validate`]); evaluating a validated program
//! never fails.

use crate::check::Pointcut;

/// Operation tags (top 3 bits of a word).
const SIG: u32 = 0;
const PKG: u32 = 1;
const CALL: u32 = 2;
const MAIN: u32 = 3;
const AND: u32 = 4;
const OR: u32 = 5;
const NOT: u32 = 6;
const CONST: u32 = 7;

const SHIFT: u32 = 29;
/// Largest operand (pattern id, arity).
pub(crate) const MAX_OPERAND: u32 = (1 << SHIFT) - 1;

/// A three-valued truth value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Truth {
    False,
    True,
    Unknown,
}

impl Truth {
    pub(crate) fn from_bool(b: bool) -> Self {
        if b { Truth::True } else { Truth::False }
    }
}

/// One atom of a program, as seen by an evaluator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Atom {
    Sig(u32),
    Pkg(u32),
    Call(u32),
    Main,
    /// The function is used as a value (encoded as `MAIN` with operand 1).
    AsValue,
}

/// Maps pattern strings to dense ids while compiling pointcuts.
pub(crate) trait Interner {
    fn sig(&mut self, pattern: &str) -> u32;
    fn pkg(&mut self, pattern: &str) -> u32;
    fn call(&mut self, target: &str) -> u32;
}

/// A compiled pointcut.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Program {
    pub words: Vec<u32>,
    /// Stack slots evaluation needs.
    pub max_stack: u32,
    pub has_sig: bool,
    pub has_call: bool,
}

/// A pointcut in a simplified shape: n-ary, flattened, double negations gone.
enum Node<'p> {
    Atom(&'p Pointcut),
    And(Vec<Node<'p>>),
    Or(Vec<Node<'p>>),
    Not(Box<Node<'p>>),
    Const(bool),
}

fn simplify(p: &Pointcut) -> Node<'_> {
    match p {
        Pointcut::And(xs) | Pointcut::Or(xs) => {
            let is_and = matches!(p, Pointcut::And(_));
            let mut kids = Vec::with_capacity(xs.len());
            for x in xs {
                match simplify(x) {
                    Node::And(inner) if is_and => kids.extend(inner),
                    Node::Or(inner) if !is_and => kids.extend(inner),
                    n => kids.push(n),
                }
            }
            match kids.len() {
                0 => Node::Const(is_and),
                1 => kids.pop().unwrap_or(Node::Const(is_and)),
                _ if is_and => Node::And(kids),
                _ => Node::Or(kids),
            }
        }
        Pointcut::Not(x) => match simplify(x) {
            Node::Not(inner) => *inner,
            Node::Const(b) => Node::Const(!b),
            n => Node::Not(Box::new(n)),
        },
        atom => Node::Atom(atom),
    }
}

fn op(tag: u32, operand: u32) -> u32 {
    (tag << SHIFT) | (operand & MAX_OPERAND)
}

/// Compile a pointcut. Ids come from `interner`; they must stay within
/// [`MAX_OPERAND`] (checked by the caller, which knows the counts).
pub(crate) fn compile(p: &Pointcut, interner: &mut impl Interner) -> Program {
    let mut prog = Program::default();
    let mut depth = 0u32;
    emit(&simplify(p), interner, &mut prog, &mut depth);
    prog
}

fn emit(n: &Node<'_>, i: &mut impl Interner, prog: &mut Program, depth: &mut u32) {
    let push = |prog: &mut Program, depth: &mut u32, word: u32| {
        prog.words.push(word);
        *depth += 1;
        prog.max_stack = prog.max_stack.max(*depth);
    };
    match n {
        Node::Atom(Pointcut::Sig(s)) => {
            prog.has_sig = true;
            let id = i.sig(s);
            push(prog, depth, op(SIG, id));
        }
        Node::Atom(Pointcut::Within(s)) => {
            let id = i.pkg(s);
            push(prog, depth, op(PKG, id));
        }
        Node::Atom(Pointcut::Call(s) | Pointcut::Ref(s)) => {
            prog.has_call = true;
            let id = i.call(s);
            push(prog, depth, op(CALL, id));
        }
        Node::Atom(Pointcut::AsValue) => push(prog, depth, op(MAIN, 1)),
        Node::Atom(_) => push(prog, depth, op(MAIN, 0)),
        Node::Const(b) => push(prog, depth, op(CONST, u32::from(*b))),
        Node::Not(x) => {
            emit(x, i, prog, depth);
            prog.words.push(op(NOT, 0));
        }
        Node::And(xs) | Node::Or(xs) => {
            for x in xs {
                emit(x, i, prog, depth);
            }
            let tag = if matches!(n, Node::And(_)) { AND } else { OR };
            prog.words.push(op(tag, xs.len() as u32));
            *depth -= xs.len() as u32 - 1;
        }
    }
}

/// Limits a program's operands must respect.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    pub sigs: u32,
    pub pkgs: u32,
    pub calls: u32,
}

/// Check that `words` is a well-formed program whose stack never exceeds
/// `max_stack` and ends with exactly one value.
pub(crate) fn validate(
    words: impl Iterator<Item = u32>,
    max_stack: u32,
    b: Bounds,
) -> Result<(), &'static str> {
    let mut depth: u64 = 0;
    for w in words {
        let (tag, x) = (w >> SHIFT, w & MAX_OPERAND);
        match tag {
            SIG if x >= b.sigs => return Err("signature id out of range"),
            PKG if x >= b.pkgs => return Err("package id out of range"),
            CALL if x >= b.calls => return Err("call id out of range"),
            CONST if x > 1 => return Err("bad constant"),
            MAIN if x > 1 => return Err("bad main-module atom"),
            SIG | PKG | CALL | MAIN | CONST => depth += 1,
            NOT if depth == 0 => return Err("stack underflow"),
            NOT => {}
            _ if x < 2 || u64::from(x) > depth => return Err("bad arity"),
            _ => depth -= u64::from(x) - 1,
        }
        if depth > u64::from(max_stack) {
            return Err("stack overflow");
        }
    }
    if depth == 1 {
        Ok(())
    } else {
        Err("unbalanced program")
    }
}

/// `word` of a program as package-level evaluation sees it: a signature
/// or callee atom (unknown until a site is matched) becomes the `as-value`
/// atom (unknown until a site is matched), everything else stays. A
/// program of such words needs no signature or callee tables.
pub(crate) fn package_level(word: u32) -> u32 {
    match word >> SHIFT {
        SIG | CALL => op(MAIN, 1),
        _ => word,
    }
}

/// Evaluate a validated program; `atom` gives each atom's value.
pub(crate) fn eval(
    words: impl Iterator<Item = u32>,
    max_stack: u32,
    mut atom: impl FnMut(Atom) -> Truth,
) -> Truth {
    const INLINE: usize = 32;
    let mut inline = [Truth::False; INLINE];
    let mut heap;
    let stack: &mut [Truth] = if max_stack as usize <= INLINE {
        &mut inline
    } else {
        heap = vec![Truth::False; max_stack as usize];
        &mut heap
    };
    let mut sp = 0usize;
    for w in words {
        let (tag, x) = (w >> SHIFT, w & MAX_OPERAND);
        let value = match tag {
            SIG => atom(Atom::Sig(x)),
            PKG => atom(Atom::Pkg(x)),
            CALL => atom(Atom::Call(x)),
            MAIN if x == 1 => atom(Atom::AsValue),
            MAIN => atom(Atom::Main),
            CONST => Truth::from_bool(x == 1),
            NOT => {
                let Some(top) = sp.checked_sub(1).and_then(|i| stack.get_mut(i)) else {
                    return Truth::Unknown;
                };
                *top = match *top {
                    Truth::True => Truth::False,
                    Truth::False => Truth::True,
                    Truth::Unknown => Truth::Unknown,
                };
                continue;
            }
            _ => {
                let n = x as usize;
                let Some(args) = sp.checked_sub(n).and_then(|lo| stack.get(lo..sp)) else {
                    return Truth::Unknown;
                };
                let (absorbing, neutral) = if tag == AND {
                    (Truth::False, Truth::True)
                } else {
                    (Truth::True, Truth::False)
                };
                let mut acc = neutral;
                for &v in args {
                    if v == absorbing {
                        acc = absorbing;
                        break;
                    }
                    if v == Truth::Unknown {
                        acc = Truth::Unknown;
                    }
                }
                sp -= n;
                acc
            }
        };
        let Some(slot) = stack.get_mut(sp) else {
            return Truth::Unknown;
        };
        *slot = value;
        sp += 1;
    }
    match stack.first() {
        Some(&v) if sp == 1 => v,
        _ => Truth::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Default)]
    struct Ids(BTreeMap<String, u32>);
    impl Interner for Ids {
        fn sig(&mut self, p: &str) -> u32 {
            let n = self.0.len() as u32;
            *self.0.entry(format!("s{p}")).or_insert(n)
        }
        fn pkg(&mut self, p: &str) -> u32 {
            let n = self.0.len() as u32;
            *self.0.entry(format!("p{p}")).or_insert(n)
        }
        fn call(&mut self, p: &str) -> u32 {
            let n = self.0.len() as u32;
            *self.0.entry(format!("c{p}")).or_insert(n)
        }
    }

    fn run(p: &Pointcut, atom: impl FnMut(Atom) -> Truth) -> Truth {
        let prog = compile(p, &mut Ids::default());
        let b = Bounds {
            sigs: 100,
            pkgs: 100,
            calls: 100,
        };
        validate(prog.words.iter().copied(), prog.max_stack, b).unwrap();
        eval(prog.words.iter().copied(), prog.max_stack, atom)
    }

    #[test]
    fn kleene_logic() {
        use Pointcut::*;
        let p = And(vec![Sig("a".into()), Not(Box::new(Within("x".into())))]);
        // Sig unknown, package known to be outside `x`: still possible.
        let v = run(&p, |a| match a {
            Atom::Sig(_) => Truth::Unknown,
            _ => Truth::False,
        });
        assert_eq!(v, Truth::Unknown);
        // Inside `x`: impossible whatever the signature.
        let v = run(&p, |a| match a {
            Atom::Sig(_) => Truth::Unknown,
            _ => Truth::True,
        });
        assert_eq!(v, Truth::False);
        assert_eq!(run(&Or(vec![]), |_| Truth::True), Truth::False);
        assert_eq!(run(&And(vec![]), |_| Truth::False), Truth::True);
        let nested = Not(Box::new(Not(Box::new(Or(vec![
            MainModule,
            Or(vec![Call("c".into())]),
        ])))));
        assert_eq!(
            run(&nested, |a| Truth::from_bool(a == Atom::Main)),
            Truth::True
        );
    }

    #[test]
    fn rejects_malformed_programs() {
        let b = Bounds {
            sigs: 1,
            pkgs: 1,
            calls: 1,
        };
        assert!(validate([op(AND, 2)].into_iter(), 4, b).is_err());
        assert!(validate([op(SIG, 1)].into_iter(), 4, b).is_err());
        assert!(validate([op(SIG, 0), op(SIG, 0)].into_iter(), 4, b).is_err());
        assert!(validate([op(SIG, 0), op(SIG, 0), op(OR, 2)].into_iter(), 1, b).is_err());
        assert!(validate([op(NOT, 0)].into_iter(), 4, b).is_err());
        assert!(validate([op(MAIN, 0), op(NOT, 0)].into_iter(), 1, b).is_ok());
    }
}
