//! The canonical type renderer (DESIGN §3): a recursive function over
//! tree-sitter type nodes, never a copy of the source text, so comments,
//! newlines, redundant parentheses and import aliases never leak into a
//! signature.
//!
//! Spelling is gofmt's single-line form: `[]byte`, `[4]int`,
//! `map[string]int`, `chan<- T`, `<-chan T`, `chan (<-chan T)`,
//! `func(int) error`, `func(a int) (int, error)`, `struct{}`,
//! `struct{ a int; b int }`, `interface{ M(); io.Reader }`, `~int | ~string`,
//! `pkg/path.T[int]`. Grouped names (`a, b int`) are expanded one per entry in
//! parameter lists, struct fields and type parameters alike. A qualified type
//! is written with its import path (`*net/http.Request`); a qualifier that
//! resolves to no import is kept as written. Array lengths are expressions,
//! rendered approximately as gofmt would (`[2*N + 1]T`).
//!
//! Recursion is bounded ([`MAX_DEPTH`]): absurdly nested input renders `…`
//! instead of overflowing the stack.

use super::Param;
use super::imports::ImportTable;
use super::kinds::{K, Kinds};
use tree_sitter::Node;

/// Nesting beyond which a type is rendered as `…`.
pub(crate) const MAX_DEPTH: u32 = 96;

/// Renders types and parameter lists of one file.
pub(crate) struct Render<'a, 'i> {
    pub src: &'a [u8],
    pub k: &'a Kinds,
    pub imports: &'i ImportTable,
}

/// How unnamed parameters are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamStyle {
    /// Canonical signature: every entry named, unnamed ones `_`.
    Signature,
    /// Inside a function type: names only if the list has them.
    Type,
}

impl<'a> Render<'a, '_> {
    /// The source bytes of `node`.
    #[inline]
    pub(crate) fn bytes(&self, node: Node) -> &'a [u8] {
        self.src.get(node.byte_range()).unwrap_or(&[])
    }

    /// The source text of `node` as an owned string (lossy on bad UTF-8).
    pub(crate) fn string(&self, node: Node) -> String {
        String::from_utf8_lossy(self.bytes(node)).into_owned()
    }

    #[inline]
    pub(crate) fn push_text(&self, node: Node, out: &mut String) {
        push_bytes(self.bytes(node), out);
    }

    /// The canonical spelling of a type node.
    pub(crate) fn type_string(&self, node: Node, depth: u32) -> String {
        let mut s = String::new();
        self.ty(node, &mut s, depth);
        s
    }

    /// Append the canonical spelling of the type `node`.
    pub(crate) fn ty(&self, node: Node, out: &mut String, depth: u32) {
        if depth > MAX_DEPTH {
            out.push('…');
            return;
        }
        let d = depth + 1;
        let f = &self.k.f;
        match self.k.of(node) {
            K::TypeIdentifier | K::Identifier | K::PackageIdentifier | K::FieldIdentifier => {
                self.push_text(node, out)
            }
            K::QualifiedType => {
                if let Some(pkg) = node.child_by_field_id(f.package) {
                    self.qualifier(pkg, out);
                    out.push('.');
                }
                if let Some(name) = node.child_by_field_id(f.name) {
                    self.push_text(name, out);
                }
            }
            K::GenericType => {
                if let Some(t) = node.child_by_field_id(f.ty) {
                    self.ty(t, out, d);
                }
                if let Some(args) = node.child_by_field_id(f.type_arguments) {
                    self.ty(args, out, d);
                }
            }
            K::TypeArguments => {
                out.push('[');
                self.join(node, ", ", out, d, |s, n, o, d| s.ty(n, o, d));
                out.push(']');
            }
            K::TypeElem | K::TypeConstraint => {
                self.join(node, " | ", out, d, |s, n, o, d| s.ty(n, o, d));
            }
            K::PointerType => {
                out.push('*');
                if let Some(inner) = self.first_named(node) {
                    self.ty(inner, out, d);
                }
            }
            K::NegatedType => {
                out.push('~');
                if let Some(inner) = self.first_named(node) {
                    self.ty(inner, out, d);
                }
            }
            K::ParenthesizedType => {
                if let Some(inner) = self.first_named(node) {
                    self.ty(inner, out, d);
                }
            }
            K::ArrayType => {
                out.push('[');
                if let Some(len) = node.child_by_field_id(f.length) {
                    self.expr(len, out, d);
                }
                out.push(']');
                self.field_ty(node, f.element, out, d);
            }
            K::ImplicitLengthArrayType => {
                out.push_str("[...]");
                self.field_ty(node, f.element, out, d);
            }
            K::SliceType => {
                out.push_str("[]");
                self.field_ty(node, f.element, out, d);
            }
            K::MapType => {
                out.push_str("map[");
                self.field_ty(node, f.key, out, d);
                out.push(']');
                self.field_ty(node, f.value, out, d);
            }
            K::ChannelType => self.channel(node, out, d, false),
            K::FunctionType => {
                out.push_str("func");
                let mut params = Vec::new();
                if let Some(list) = node.child_by_field_id(f.parameters) {
                    self.params(list, &mut params, d);
                }
                write_params(&params, ParamStyle::Type, out);
                let mut results = Vec::new();
                if let Some(r) = node.child_by_field_id(f.result) {
                    self.results(r, &mut results, d);
                }
                write_results(&results, out);
            }
            K::StructType => self.struct_type(node, out, d),
            K::InterfaceType => self.interface_type(node, out, d),
            _ => self.fallback(node, out, d),
        }
    }

    /// `pkg` of `pkg.T`: the import path when it resolves, else as written.
    pub(crate) fn qualifier(&self, pkg: Node, out: &mut String) {
        match self.imports.resolve(self.bytes(pkg)) {
            Some(path) => out.push_str(path),
            None => self.push_text(pkg, out),
        }
    }

    fn field_ty(&self, node: Node, field: u16, out: &mut String, d: u32) {
        if let Some(t) = node.child_by_field_id(field) {
            self.ty(t, out, d);
        }
    }

    /// The first named child that is not a comment.
    pub(crate) fn first_named<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        (0..node.named_child_count())
            .filter_map(|i| node.named_child(i as u32))
            .find(|c| self.k.of(*c) != K::Comment)
    }

    /// Render every named non-comment child, separated by `sep`.
    fn join(
        &self,
        node: Node,
        sep: &str,
        out: &mut String,
        d: u32,
        each: impl Fn(&Self, Node, &mut String, u32),
    ) {
        let mut first = true;
        for i in 0..node.child_count() {
            let Some(c) = node.child(i) else {
                continue;
            };
            if !c.is_named() || self.k.of(c) == K::Comment || c.is_error() {
                continue;
            }
            if !first {
                out.push_str(sep);
            }
            first = false;
            each(self, c, out, d);
        }
    }

    /// `force_bidi`: render this `<-chan T` node as `chan T` (see below).
    fn channel(&self, node: Node, out: &mut String, d: u32, force_bidi: bool) {
        if d > MAX_DEPTH {
            out.push('…');
            return;
        }
        // Direction from the anonymous tokens: `<-` first → receive-only;
        // `chan` then `<-` → send-only; no arrow → bidirectional.
        let mut seen_chan = false;
        let mut dir = 0u8; // 0 bidi, 1 send, 2 recv
        for i in 0..node.child_count() {
            let Some(c) = node.child(i) else {
                continue;
            };
            match self.k.of(c) {
                K::TokChan => seen_chan = true,
                K::TokArrow if !seen_chan => dir = 2,
                K::TokArrow => dir = 1,
                _ => {}
            }
        }
        if force_bidi {
            dir = 0;
        }
        let Some(value) = node.child_by_field_id(self.k.f.value) else {
            out.push_str(["chan ", "chan<- ", "<-chan "][usize::from(dir)]);
            return;
        };
        // tree-sitter reads `chan<- chan T` (and `chan <-chan T`) as a
        // bidirectional channel of `<-chan T`; Go binds the arrow to the
        // leftmost `chan`: a send-only channel of `chan T`.
        if dir == 0 && self.k.of(value) == K::ChannelType && self.is_recv_chan(value) {
            out.push_str("chan<- ");
            self.channel(value, out, d + 1, true);
            return;
        }
        out.push_str(["chan ", "chan<- ", "<-chan "][usize::from(dir)]);
        // `chan (<-chan T)` keeps its parentheses: without them the arrow
        // would bind to the outer `chan`.
        let needs_parens = dir == 0 && self.is_recv_chan(value);
        if needs_parens {
            out.push('(');
        }
        self.ty(value, out, d);
        if needs_parens {
            out.push(')');
        }
    }

    fn is_recv_chan(&self, mut node: Node) -> bool {
        for _ in 0..MAX_DEPTH {
            match self.k.of(node) {
                K::ParenthesizedType => match self.first_named(node) {
                    Some(inner) => node = inner,
                    None => return false,
                },
                K::ChannelType => {
                    return node.child(0).is_some_and(|c| self.k.of(c) == K::TokArrow);
                }
                _ => return false,
            }
        }
        false
    }

    fn struct_type(&self, node: Node, out: &mut String, d: u32) {
        out.push_str("struct{");
        let mut n = 0usize;
        if let Some(list) = self.first_named(node)
            && self.k.of(list) == K::FieldDeclarationList
        {
            for i in 0..list.named_child_count() {
                let Some(field) = list.named_child(i as u32) else {
                    continue;
                };
                if self.k.of(field) != K::FieldDeclaration {
                    continue;
                }
                let ty = field.child_by_field_id(self.k.f.ty);
                let tag = field.child_by_field_id(self.k.f.tag);
                let mut embedded_star = false;
                let mut names = 0;
                for j in 0..field.child_count() {
                    let Some(c) = field.child(j) else {
                        continue;
                    };
                    match self.k.of(c) {
                        K::TokStar => embedded_star = true,
                        K::FieldIdentifier => {
                            out.push_str(if n == 0 { " " } else { "; " });
                            n += 1;
                            names += 1;
                            self.push_text(c, out);
                            out.push(' ');
                            if let Some(t) = ty {
                                self.ty(t, out, d);
                            }
                            if let Some(tag) = tag {
                                out.push(' ');
                                self.push_text(tag, out);
                            }
                        }
                        _ => {}
                    }
                }
                if names == 0 {
                    out.push_str(if n == 0 { " " } else { "; " });
                    n += 1;
                    if embedded_star {
                        out.push('*');
                    }
                    if let Some(t) = ty {
                        self.ty(t, out, d);
                    }
                    if let Some(tag) = tag {
                        out.push(' ');
                        self.push_text(tag, out);
                    }
                }
            }
        }
        out.push_str(if n == 0 { "}" } else { " }" });
    }

    fn interface_type(&self, node: Node, out: &mut String, d: u32) {
        out.push_str("interface{");
        let mut n = 0usize;
        for i in 0..node.named_child_count() {
            let Some(elem) = node.named_child(i as u32) else {
                continue;
            };
            let kind = self.k.of(elem);
            if !matches!(kind, K::MethodElem | K::TypeElem) {
                continue;
            }
            out.push_str(if n == 0 { " " } else { "; " });
            n += 1;
            if kind == K::TypeElem {
                self.ty(elem, out, d);
                continue;
            }
            if let Some(name) = elem.child_by_field_id(self.k.f.name) {
                self.push_text(name, out);
            }
            let mut params = Vec::new();
            if let Some(list) = elem.child_by_field_id(self.k.f.parameters) {
                self.params(list, &mut params, d);
            }
            write_params(&params, ParamStyle::Type, out);
            let mut results = Vec::new();
            if let Some(r) = elem.child_by_field_id(self.k.f.result) {
                self.results(r, &mut results, d);
            }
            write_results(&results, out);
        }
        out.push_str(if n == 0 { "}" } else { " }" });
    }

    /// The entries of a `parameter_list`, grouped names expanded.
    pub(crate) fn params(&self, list: Node, out: &mut Vec<Param>, d: u32) {
        for i in 0..list.named_child_count() {
            let Some(decl) = list.named_child(i as u32) else {
                continue;
            };
            let variadic = match self.k.of(decl) {
                K::ParameterDeclaration => false,
                K::VariadicParameterDeclaration => true,
                _ => continue,
            };
            let Some(ty_node) = decl.child_by_field_id(self.k.f.ty) else {
                continue;
            };
            let ty = self.type_string(ty_node, d);
            let mut named = false;
            for j in 0..decl.child_count() {
                let Some(c) = decl.child(j) else {
                    continue;
                };
                if self.k.of(c) != K::Identifier || c.id() == ty_node.id() {
                    continue;
                }
                named = true;
                let bytes = self.bytes(c);
                out.push(Param {
                    name: (bytes != b"_").then(|| self.string(c)),
                    ty: ty.clone(),
                    name_range: Some(c.byte_range()),
                    type_range: ty_node.byte_range(),
                    variadic,
                });
            }
            if !named {
                out.push(Param {
                    name: None,
                    ty,
                    name_range: None,
                    type_range: ty_node.byte_range(),
                    variadic,
                });
            }
        }
    }

    /// A `result` field: a parameter list, or one bare type.
    pub(crate) fn results(&self, node: Node, out: &mut Vec<Param>, d: u32) {
        if self.k.of(node) == K::ParameterList {
            self.params(node, out, d);
        } else {
            out.push(Param {
                name: None,
                ty: self.type_string(node, d),
                name_range: None,
                type_range: node.byte_range(),
                variadic: false,
            });
        }
    }

    /// An expression inside a type (array lengths).
    fn expr(&self, node: Node, out: &mut String, d: u32) {
        if d > MAX_DEPTH {
            out.push('…');
            return;
        }
        let f = &self.k.f;
        match self.k.of(node) {
            K::SelectorExpression => {
                let operand = node.child_by_field_id(f.operand);
                match operand {
                    Some(op) if self.k.of(op) == K::Identifier => self.qualifier(op, out),
                    Some(op) => self.expr(op, out, d + 1),
                    None => {}
                }
                out.push('.');
                if let Some(field) = node.child_by_field_id(f.field) {
                    self.push_text(field, out);
                }
            }
            K::BinaryExpression => {
                let max = self.max_prec(node, 0);
                let mixed = max != self.min_prec(node, 0);
                let cutoff = if mixed { max } else { u8::MAX };
                self.binary(node, cutoff, out, d);
            }
            K::UnaryExpression => {
                if let Some(op) = node.child_by_field_id(f.operator) {
                    self.push_text(op, out);
                }
                if let Some(x) = node.child_by_field_id(f.operand) {
                    self.expr(x, out, d + 1);
                }
            }
            K::ParenthesizedExpression => {
                out.push('(');
                if let Some(inner) = self.first_named(node) {
                    self.expr(inner, out, d + 1);
                }
                out.push(')');
            }
            K::CallExpression => {
                if let Some(func) = node.child_by_field_id(f.function) {
                    self.expr(func, out, d + 1);
                }
                out.push('(');
                if let Some(args) = node.child_by_field_id(f.arguments) {
                    self.join(args, ", ", out, d + 1, |s, n, o, d| s.expr(n, o, d));
                }
                out.push(')');
            }
            K::VariadicArgument => {
                if let Some(inner) = self.first_named(node) {
                    self.expr(inner, out, d + 1);
                }
                out.push_str("...");
            }
            K::IndexExpression => {
                if let Some(x) = node.child_by_field_id(f.operand) {
                    self.expr(x, out, d + 1);
                }
                out.push('[');
                if let Some(i) = node.child_by_field_id(f.index) {
                    self.expr(i, out, d + 1);
                }
                out.push(']');
            }
            k if k.is_type_like() => self.ty(node, out, d + 1),
            _ => self.fallback(node, out, d),
        }
    }

    fn binary(&self, node: Node, cutoff: u8, out: &mut String, d: u32) {
        let f = &self.k.f;
        let op = node.child_by_field_id(f.operator);
        let prec = op.map_or(0, |o| precedence(self.bytes(o)));
        let side = |n: Option<Node>, out: &mut String| {
            if let Some(n) = n {
                if self.k.of(n) == K::BinaryExpression && d < MAX_DEPTH {
                    self.binary(n, cutoff, out, d + 1);
                } else {
                    self.expr(n, out, d + 1);
                }
            }
        };
        side(node.child_by_field_id(f.left), out);
        let spaced = prec < cutoff;
        if spaced {
            out.push(' ');
        }
        if let Some(op) = op {
            self.push_text(op, out);
        }
        if spaced {
            out.push(' ');
        }
        side(node.child_by_field_id(f.right), out);
    }

    fn max_prec(&self, node: Node, d: u32) -> u8 {
        self.fold_prec(node, d, u8::max, 0)
    }

    fn min_prec(&self, node: Node, d: u32) -> u8 {
        self.fold_prec(node, d, u8::min, u8::MAX)
    }

    /// Fold the operator precedences of a (non-parenthesised) binary tree.
    fn fold_prec(&self, node: Node, d: u32, f: fn(u8, u8) -> u8, init: u8) -> u8 {
        if self.k.of(node) != K::BinaryExpression || d > MAX_DEPTH {
            return init;
        }
        let fields = &self.k.f;
        let mut acc = node
            .child_by_field_id(fields.operator)
            .map_or(init, |o| f(init, precedence(self.bytes(o))));
        for side in [fields.left, fields.right] {
            if let Some(c) = node.child_by_field_id(side) {
                acc = f(acc, self.fold_prec(c, d + 1, f, init));
            }
        }
        acc
    }

    /// The last resort for nodes with no canonical form (ERROR nodes, odd
    /// expressions): the leaf tokens, comments dropped, joined without
    /// spaces except between two identifier-like tokens.
    fn fallback(&self, node: Node, out: &mut String, d: u32) {
        if d > MAX_DEPTH {
            out.push('…');
            return;
        }
        if self.k.of(node) == K::Comment {
            return;
        }
        if node.child_count() == 0 {
            let text = String::from_utf8_lossy(self.bytes(node));
            let word = |c: char| c.is_alphanumeric() || c == '_';
            if out.ends_with(word) && text.starts_with(word) {
                out.push(' ');
            }
            out.push_str(&text);
            return;
        }
        for i in 0..node.child_count() {
            if let Some(c) = node.child(i) {
                self.fallback(c, out, d + 1);
            }
        }
    }
}

/// Go's binary operator precedence (5 binds tightest).
fn precedence(op: &[u8]) -> u8 {
    match op {
        b"*" | b"/" | b"%" | b"<<" | b">>" | b"&" | b"&^" => 5,
        b"+" | b"-" | b"|" | b"^" => 4,
        b"==" | b"!=" | b"<" | b"<=" | b">" | b">=" => 3,
        b"&&" => 2,
        _ => 1,
    }
}

/// Append raw bytes, replacing invalid UTF-8.
#[inline]
pub(crate) fn push_bytes(bytes: &[u8], out: &mut String) {
    match std::str::from_utf8(bytes) {
        Ok(s) => out.push_str(s),
        Err(_) => out.push_str(&String::from_utf8_lossy(bytes)),
    }
}

/// `(a int, b ...string)`: signature style names every entry (`_` when
/// unnamed); type style writes names only when the list has some.
pub(crate) fn write_params(params: &[Param], style: ParamStyle, out: &mut String) {
    let named = style == ParamStyle::Signature || params.iter().any(|p| p.name_range.is_some());
    out.push('(');
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if named {
            out.push_str(p.name.as_deref().unwrap_or("_"));
            out.push(' ');
        }
        if p.variadic {
            out.push_str("...");
        }
        out.push_str(&p.ty);
    }
    out.push(')');
}

/// Results: none → nothing; one unnamed → ` T`; else ` (T, U)` or
/// ` (n T, err U)`.
pub(crate) fn write_results(results: &[Param], out: &mut String) {
    match results {
        [] => {}
        [one] if one.name_range.is_none() => {
            out.push(' ');
            out.push_str(&one.ty);
        }
        _ => {
            out.push(' ');
            write_params(results, ParamStyle::Type, out);
        }
    }
}
