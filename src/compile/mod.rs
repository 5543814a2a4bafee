//! Stage 3 — compile: checked aspects into one serialisable [`RuleSet`].
