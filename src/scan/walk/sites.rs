//! The sites the walk records inside function bodies: calls (`pkg.F(x)`,
//! also read by tree-sitter as conversions or generic instantiations),
//! composite literals of package types (`pkg.T{…}`, with their elements)
//! and value references to package members (`pkg.V`, with how each is
//! used). Each resolves its package through the import table, honouring
//! local names that shadow an import, and records the enclosing function.
//! Split from `walk.rs`, which drives the walk and calls into these.

use std::ops::Range;

use super::{Walker, named_children, row};
use crate::scan::imports::is_exported;
use crate::scan::kinds::K;
use crate::scan::{CallContext, CallKind, CallSite, Element, RefSite, RefUse};
use tree_sitter::Node;

impl<'a> Walker<'a> {
    /// `pkg.Name` or, through the single dot-import, `Name`: the callee,
    /// and whether it came from the dot-import.
    fn resolve_target(&mut self, target: Node<'a>) -> Option<(String, bool)> {
        let k = self.k;
        match k.of(target) {
            K::SelectorExpression => {
                let operand = target.child_by_field_id(k.f.operand)?;
                if k.of(operand) != K::Identifier {
                    return None;
                }
                let field = target.child_by_field_id(k.f.field)?;
                let q = self.bytes(operand);
                if self.shadowed(q) {
                    return None;
                }
                let path = self.imports.resolve(q)?;
                self.consumed = Some(target.id());
                Some((qualified(path, self.bytes(field)), false))
            }
            K::QualifiedType => {
                let pkg = target.child_by_field_id(k.f.package)?;
                let name = target.child_by_field_id(k.f.name)?;
                let q = self.bytes(pkg);
                if self.shadowed(q) {
                    return None;
                }
                let path = self.imports.resolve(q)?;
                Some((qualified(path, self.bytes(name)), false))
            }
            K::Identifier | K::TypeIdentifier => {
                let path = self.imports.single_dot()?;
                let name = self.bytes(target);
                if !is_exported(name) || self.shadowed(name) {
                    return None;
                }
                self.dot_calls = true;
                Some((qualified(path, name), true))
            }
            _ => None,
        }
    }

    pub(super) fn call(&mut self, node: Node<'a>) {
        let k = self.k;
        let (Some(func), Some(args)) = (
            node.child_by_field_id(k.f.function),
            node.child_by_field_id(k.f.arguments),
        ) else {
            return;
        };
        // See through `(pkg.F)(…)` and the instantiation `pkg.F[T](…)`.
        let mut target = func;
        for _ in 0..8 {
            target = match k.of(target) {
                K::ParenthesizedExpression => match self.render().first_named(target) {
                    Some(t) => t,
                    None => return,
                },
                K::IndexExpression => match target.child_by_field_id(k.f.operand) {
                    Some(t) => t,
                    None => return,
                },
                _ => break,
            };
        }
        let Some((callee, dot_import)) = self.resolve_target(target) else {
            return;
        };
        let func_end = node
            .child_by_field_id(k.f.type_arguments)
            .map_or(func.end_byte(), |t| t.end_byte());
        let mut arg_ranges = Vec::new();
        let mut spread = false;
        for a in named_children(args, k) {
            spread = k.of(a) == K::VariadicArgument;
            arg_ranges.push(a.byte_range());
        }
        self.push_call(
            node,
            callee,
            CallKind::Call,
            func.start_byte()..func_end,
            args.byte_range(),
            arg_ranges,
            Vec::new(),
            spread,
            dot_import,
        );
    }

    /// `pkg.T(x)` parsed as a conversion: also how tree-sitter reads the
    /// generic call `pkg.F[A, B](x)`.
    pub(super) fn conversion(&mut self, node: Node<'a>) {
        let k = self.k;
        let Some(ty) = node.child_by_field_id(k.f.ty) else {
            return;
        };
        let target = self.see_through_generic(ty);
        let Some((callee, dot_import)) = self.resolve_target(target) else {
            return;
        };
        let mut open = None;
        let mut close = node.end_byte();
        for i in 0..node.child_count() {
            let Some(c) = node.child(i) else {
                continue;
            };
            match k.of(c) {
                K::TokLParen if open.is_none() => open = Some(c.start_byte()),
                K::TokRParen => close = c.end_byte(),
                _ => {}
            }
        }
        let open = open.unwrap_or(ty.end_byte());
        let arg_ranges: Vec<_> = node
            .child_by_field_id(k.f.operand)
            .map(|o| o.byte_range())
            .into_iter()
            .collect();
        self.push_call(
            node,
            callee,
            CallKind::Call,
            ty.byte_range(),
            open..close,
            arg_ranges,
            Vec::new(),
            false,
            dot_import,
        );
    }

    pub(super) fn composite(&mut self, node: Node<'a>) {
        let k = self.k;
        let (Some(ty), Some(body)) = (
            node.child_by_field_id(k.f.ty),
            node.child_by_field_id(k.f.body),
        ) else {
            return;
        };
        let target = self.see_through_generic(ty);
        let Some((callee, dot_import)) = self.resolve_target(target) else {
            return;
        };
        let arg_ranges: Vec<_> = named_children(body, k).map(|e| e.byte_range()).collect();
        let elements = named_children(body, k).map(|e| self.element(e)).collect();
        self.push_call(
            node,
            callee,
            CallKind::Composite,
            ty.byte_range(),
            body.byte_range(),
            arg_ranges,
            elements,
            false,
            dot_import,
        );
    }

    /// One element of a literal value: `key: value` or a positional value.
    fn element(&self, e: Node<'a>) -> Element {
        let k = self.k;
        let keyed = e.kind() == "keyed_element";
        let (key, value) = if keyed {
            (e.child_by_field_id(k.f.key), e.child_by_field_id(k.f.value))
        } else {
            (None, Some(e))
        };
        // A literal element wraps its expression.
        let unwrap = |n: Node<'a>| {
            if n.kind() == "literal_element" {
                self.render().first_named(n).unwrap_or(n)
            } else {
                n
            }
        };
        let key = key
            .map(unwrap)
            .filter(|n| matches!(k.of(*n), K::Identifier | K::FieldIdentifier))
            .map(|n| String::from_utf8_lossy(self.bytes(n)).into_owned());
        Element {
            key,
            keyed,
            value: value.map(unwrap).unwrap_or(e).byte_range(),
        }
    }

    /// How the selector `node` (a package member) is used: climb through
    /// parentheses, then field/index selections, to the node that decides.
    fn ref_use(&self, node: Node<'a>) -> RefUse {
        let k = self.k;
        let mut child = node;
        let mut direct = true;
        for _ in 0..32 {
            let Some(parent) = child.parent() else {
                return RefUse::Value;
            };
            let is =
                |field: u16| parent.child_by_field_id(field).map(|n| n.id()) == Some(child.id());
            match parent.kind() {
                "parenthesized_expression" => {}
                "type_assertion_expression" if direct && is(k.f.operand) => {
                    return RefUse::TypeAsserted;
                }
                "unary_expression" => {
                    let amp = parent
                        .child_by_field_id(k.f.operator)
                        .is_some_and(|o| o.kind() == "&");
                    return if amp {
                        RefUse::AddressOf
                    } else {
                        RefUse::Value
                    };
                }
                // `pkg.V.f` / `pkg.V[i]`: still the variable's storage.
                "selector_expression" | "index_expression" if is(k.f.operand) => direct = false,
                "expression_list" => {}
                "assignment_statement" if is(k.f.left) => return RefUse::Assigned,
                "inc_statement" | "dec_statement" => return RefUse::Assigned,
                _ => return RefUse::Value,
            }
            child = parent;
        }
        RefUse::Value
    }

    fn see_through_generic(&self, ty: Node<'a>) -> Node<'a> {
        if self.k.of(ty) == K::GenericType {
            ty.child_by_field_id(self.k.f.ty).unwrap_or(ty)
        } else {
            ty
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_call(
        &mut self,
        node: Node,
        callee: String,
        kind: CallKind,
        func_range: Range<usize>,
        args_range: Range<usize>,
        args: Vec<Range<usize>>,
        elements: Vec<Element>,
        spread: bool,
        dot_import: bool,
    ) {
        let context = match self.go_defer {
            Some((id, ctx)) if id == node.id() => ctx,
            _ => CallContext::Expr,
        };
        let start = node.start_position();
        self.out.calls.push(CallSite {
            callee,
            kind,
            range: node.byte_range(),
            func_range,
            args_range,
            arg_count: args.len(),
            args,
            elements,
            spread,
            enclosing: self.enclosing(),
            context,
            dot_import,
            line: row(start.row).saturating_add(1),
            column: row(start.column).saturating_add(1),
        });
    }

    /// Record `pkg.Name` used as a value; whether the operand needs
    /// walking (it does unless it is a plain identifier).
    pub(super) fn selector(&mut self, node: Node<'a>) -> bool {
        let k = self.k;
        let Some(operand) = node.child_by_field_id(k.f.operand) else {
            return true;
        };
        if k.of(operand) != K::Identifier {
            return true;
        }
        if self.consumed == Some(node.id()) {
            self.consumed = None;
            return false;
        }
        let q = self.bytes(operand);
        let Some(path) = self.imports.resolve(q) else {
            return false;
        };
        if self.shadowed(q) {
            return false;
        }
        let Some(field) = node.child_by_field_id(k.f.field) else {
            return false;
        };
        let start = node.start_position();
        let usage = self.ref_use(node);
        self.out.refs.push(RefSite {
            target: qualified(path, self.bytes(field)),
            range: node.byte_range(),
            usage,
            enclosing: self.enclosing(),
            line: row(start.row).saturating_add(1),
            column: row(start.column).saturating_add(1),
        });
        false
    }
}

fn qualified(path: &str, name: &[u8]) -> String {
    let mut s = String::with_capacity(path.len() + 1 + name.len());
    s.push_str(path);
    s.push('.');
    crate::scan::types::push_bytes(name, &mut s);
    s
}
