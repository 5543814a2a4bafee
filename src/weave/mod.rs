//! Stage 5 — weave: rule set × sites into byte-offset edits and woven files.
