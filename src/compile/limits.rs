//! Size limits for the automata a rule set is made of.
//!
//! regex-automata's limits default to "unlimited", and a single innocent
//! looking regex (`a.{30}` searched unanchored) can need billions of DFA
//! states. Every automaton goaop builds is bounded by these limits; going
//! over one is a [`CompileErrorKind::TooBig`](super::CompileErrorKind::TooBig)
//! naming the aspect responsible.

/// Byte limits applied to each automaton separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Heap size of one Thompson NFA.
    pub nfa: usize,
    /// Size of one dense DFA's transition table and tables.
    pub dfa: usize,
    /// Scratch memory used while determinising one DFA.
    pub determinize: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            nfa: 32 << 20,
            dfa: 32 << 20,
            determinize: 32 << 20,
        }
    }
}

impl Limits {
    /// The same limit for everything.
    pub fn uniform(bytes: usize) -> Self {
        Limits {
            nfa: bytes,
            dfa: bytes,
            determinize: bytes,
        }
    }
}
