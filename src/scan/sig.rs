//! Function sites: a declaration, method or literal node into a
//! [`FuncSite`] with its canonical signature line (DESIGN §3).

use super::kinds::K;
use super::types::{ParamStyle, Render, write_params, write_results};
use super::{FuncKind, FuncSite};
use tree_sitter::Node;

impl<'a> Render<'a, '_> {
    /// Build the site for `node` (a function declaration, method
    /// declaration or function literal) named `name`. The identifiers the
    /// function declares for its body (receiver, type parameters,
    /// parameters, named results) are appended to `declared`.
    pub(crate) fn func_site(
        &self,
        node: Node,
        kind: FuncKind,
        name: String,
        parent: Option<usize>,
        declared: &mut Vec<&'a [u8]>,
    ) -> FuncSite {
        let f = &self.k.f;
        let mut receiver_param = None;
        let mut type_params = Vec::new();
        let mut params = Vec::new();
        let mut results = Vec::new();
        let mut params_range = None;
        let mut results_range = None;
        let mut body = None;
        let mut cursor = node.walk();
        let mut more = cursor.goto_first_child();
        while more {
            let child = cursor.node();
            let field = cursor.field_id().map_or(0, |id| id.get());
            if field == 0 {
                // Not a field child (keyword, comment).
            } else if field == f.receiver && kind == FuncKind::Method {
                let mut recv = Vec::new();
                self.params(child, &mut recv, 0);
                receiver_param = recv.into_iter().next();
            } else if field == f.type_parameters {
                self.type_params(child, &mut type_params, declared);
            } else if field == f.parameters {
                params_range = Some(child.byte_range());
                self.params(child, &mut params, 0);
            } else if field == f.result {
                results_range = Some(child.byte_range());
                self.results(child, &mut results, 0);
            } else if field == f.body && self.k.of(child) == K::Block {
                body = Some(child.byte_range());
            }
            more = cursor.goto_next_sibling();
        }
        for p in receiver_param.iter().chain(&params).chain(&results) {
            if let Some(r) = &p.name_range {
                declared.push(self.src.get(r.clone()).unwrap_or(&[]));
            }
        }

        let receiver = receiver_param.as_ref().map(|p| format!("({})", p.ty));
        let mut signature = String::with_capacity(64);
        signature.push_str("func ");
        if let Some(r) = &receiver {
            signature.push_str(r);
            signature.push(' ');
        }
        signature.push_str(&name);
        if !type_params.is_empty() {
            signature.push('[');
            for (i, (n, c)) in type_params.iter().enumerate() {
                if i > 0 {
                    signature.push_str(", ");
                }
                signature.push_str(n);
                signature.push(' ');
                signature.push_str(c);
            }
            signature.push(']');
        }
        write_params(&params, ParamStyle::Signature, &mut signature);
        write_results(&results, &mut signature);

        let start = node.start_position();
        FuncSite {
            kind,
            name,
            receiver,
            receiver_param,
            signature,
            params,
            results,
            results_range,
            params_range: params_range.unwrap_or(node.end_byte()..node.end_byte()),
            body,
            type_params,
            range: node.byte_range(),
            line: u32::try_from(start.row)
                .unwrap_or(u32::MAX)
                .saturating_add(1),
            column: u32::try_from(start.column)
                .unwrap_or(u32::MAX)
                .saturating_add(1),
            ignored: false,
            parent,
        }
    }

    /// `[K comparable, V any]` one entry per name.
    fn type_params(
        &self,
        list: Node,
        out: &mut Vec<(String, String)>,
        declared: &mut Vec<&'a [u8]>,
    ) {
        for i in 0..list.named_child_count() {
            let Some(decl) = list.named_child(i as u32) else {
                continue;
            };
            if self.k.of(decl) != K::TypeParameterDeclaration {
                continue;
            }
            let constraint = decl
                .child_by_field_id(self.k.f.ty)
                .map(|c| self.type_string(c, 0))
                .unwrap_or_default();
            for j in 0..decl.child_count() {
                let Some(c) = decl.child(j) else {
                    continue;
                };
                if self.k.of(c) == K::Identifier {
                    declared.push(self.bytes(c));
                    out.push((self.string(c), constraint.clone()));
                }
            }
        }
    }
}
