//! The scan itself: ONE tree-cursor walk over the file that records the
//! package clause, imports, build constraint and package-scope names as it
//! meets them, and builds function sites, call sites and references while
//! tracking which local declarations hide an import name. Go puts imports
//! before every declaration, so the import table is complete before the
//! first function is rendered (in a broken file with a late import, only
//! what follows it sees it).
//!
//! Scope tracking is deliberately narrow: only identifiers that could hide
//! something the import table resolves are remembered (usually none), with
//! Go's scoping (a `:=`/`var` name is visible after its statement, until the
//! end of the enclosing block; parameters, results, receiver and type
//! parameters for the whole body; `if`/`for`/`switch`/case clauses are
//! blocks). Type and parameter-list subtrees are never walked: they are
//! rendered by [`super::types`] and hold no calls.
//!
//! The walk is the scan's cost (tree-sitter's cursor dominates it), so it
//! visits as little as it can: leaves are never descended into, nor are
//! the identifier operands of selectors, nor subtrees whose source text
//! holds nothing that could matter (no `.`, no `func`, no directive
//! comment: see [`marks`]).
//!
//! This file drives the walk: scopes, imports, package-scope names,
//! comments and function sites. The call sites, composite literals and
//! references found in bodies are built in `sites`.

mod marks;
mod sites;

use self::marks::marks;
use super::comments::{self, CommentRow};
use super::imports::{ImportTable, assumed_package_name};
use super::kinds::{K, Kinds};
use super::types::Render;
use super::{CallContext, FuncKind, ImportSpec, ScannedFile};
use tree_sitter::{Node, Tree};

pub(crate) fn scan_tree(tree: &Tree, src: &[u8], k: &Kinds) -> ScannedFile {
    let root = tree.root_node();
    let mut w = Walker {
        src,
        k,
        marks: marks(src),
        next_mark: 0,
        imports: ImportTable::default(),
        out: ScannedFile {
            has_errors: root.has_error(),
            ..ScannedFile::default()
        },
        comments: Vec::new(),
        any_ignore: false,
        actions: Vec::new(),
        shadows: Vec::new(),
        pending: Vec::new(),
        declared: Vec::new(),
        frames: Vec::new(),
        top_literals: 0,
        consumed: None,
        go_defer: None,
        dot_calls: false,
    };
    w.run(root);
    w.finish()
}

fn push_top(out: &mut ScannedFile, name: &[u8]) {
    if !name.is_empty() && name != b"_" && name != b"init" {
        out.top_level
            .push(String::from_utf8_lossy(name).into_owned());
    }
}

fn spec_names(spec: Node, k: &Kinds, src: &[u8], out: &mut ScannedFile) {
    for c in named_children(spec, k) {
        if k.of(c) == K::Identifier {
            push_top(out, src.get(c.byte_range()).unwrap_or(&[]));
        }
    }
}

fn import_spec(
    spec: Node,
    decl: usize,
    src: &[u8],
    k: &Kinds,
    out: &mut ScannedFile,
    imports: &mut ImportTable,
) {
    let Some(path_node) = spec.child_by_field_id(k.f.path) else {
        return;
    };
    let quoted = src.get(path_node.byte_range()).unwrap_or(&[]);
    let path = match quoted {
        [b'"' | b'`', inner @ .., b'"' | b'`'] => inner,
        other => other,
    };
    if path.is_empty() {
        return;
    }
    let path = String::from_utf8_lossy(path).into_owned();
    let alias = spec.child_by_field_id(k.f.name).map(|n| match k.of(n) {
        K::Dot => ".".to_owned(),
        K::BlankIdentifier => "_".to_owned(),
        _ => String::from_utf8_lossy(src.get(n.byte_range()).unwrap_or(&[])).into_owned(),
    });
    let name = alias.clone().unwrap_or_else(|| assumed_package_name(&path));
    imports.add(&name, &path, alias.is_some());
    out.imports.push(ImportSpec {
        alias,
        name,
        path,
        range: spec.byte_range(),
        path_range: path_node.byte_range(),
        decl,
    });
}

/// Named children that are not comments, through a cursor (linear).
fn named_children<'t>(node: Node<'t>, k: &Kinds) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = node.walk();
    let mut started = false;
    let mut done = false;
    let is_comment = |n: Node| k.of(n) == K::Comment;
    std::iter::from_fn(move || {
        loop {
            if done {
                return None;
            }
            let moved = if started {
                cursor.goto_next_sibling()
            } else {
                started = true;
                cursor.goto_first_child()
            };
            if !moved {
                done = true;
                return None;
            }
            let n = cursor.node();
            if n.is_named() && !is_comment(n) {
                return Some(n);
            }
        }
    })
}

/// Undone when the walk leaves the node at the recorded depth.
enum Action {
    /// Forget the names declared since (truncate the shadow stack).
    PopScope(usize),
    /// Leave a function.
    PopFunc,
    /// Make the pending names from this index on visible.
    Declare(usize),
}

/// A function being walked.
struct Frame {
    func: usize,
    literals: u32,
}

struct Walker<'a> {
    src: &'a [u8],
    k: &'a Kinds,
    /// Sorted byte offsets of everything a skipped subtree must not hold.
    marks: Vec<usize>,
    /// Index of the first mark at or after the last node start checked
    /// (nodes are entered in source order, so it only moves forward).
    next_mark: usize,
    imports: ImportTable,
    out: ScannedFile,
    comments: Vec<CommentRow>,
    any_ignore: bool,
    actions: Vec<(u32, Action)>,
    /// Local names hiding something the import table resolves.
    shadows: Vec<&'a [u8]>,
    /// Names declared by statements not yet left.
    pending: Vec<&'a [u8]>,
    /// Scratch for the names a function declares.
    declared: Vec<&'a [u8]>,
    frames: Vec<Frame>,
    top_literals: u32,
    /// The selector a call already accounted for (not a reference then).
    consumed: Option<usize>,
    /// The call expression of the `go`/`defer` statement being entered.
    go_defer: Option<(usize, CallContext)>,
    dot_calls: bool,
}

impl<'a> Walker<'a> {
    /// A type renderer over the current import table.
    fn render(&self) -> Render<'a, '_> {
        Render {
            src: self.src,
            k: self.k,
            imports: &self.imports,
        }
    }

    #[inline]
    fn bytes(&self, node: Node) -> &'a [u8] {
        self.src.get(node.byte_range()).unwrap_or(&[])
    }

    fn run(&mut self, root: Node<'a>) {
        let mut cursor = root.walk();
        let mut depth = 0u32;
        loop {
            let node = cursor.node();
            if self.enter(node, depth) && cursor.goto_first_child() {
                depth += 1;
                continue;
            }
            loop {
                self.leave(depth);
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
                depth -= 1;
            }
        }
    }

    fn leave(&mut self, depth: u32) {
        while let Some((d, _)) = self.actions.last()
            && *d == depth
        {
            let Some((_, action)) = self.actions.pop() else {
                break;
            };
            match action {
                Action::PopScope(len) => self.shadows.truncate(len),
                Action::PopFunc => {
                    self.frames.pop();
                }
                Action::Declare(from) => {
                    let from = from.min(self.pending.len());
                    self.shadows.extend(self.pending.drain(from..));
                }
            }
        }
    }

    /// Handle entering `node`; whether to walk its children.
    fn enter(&mut self, node: Node<'a>, depth: u32) -> bool {
        let kind = self.k.of(node);
        if kind.skippable() && self.quiet(node) {
            return false;
        }
        match kind {
            K::Comment => {
                self.comment(node);
                false
            }
            K::PackageClause => {
                if self.out.package_range.is_none() {
                    self.out.package_range = Some(node.byte_range());
                    self.out.package = named_children(node, self.k)
                        .find(|c| self.k.of(*c) == K::PackageIdentifier)
                        .map(|c| String::from_utf8_lossy(self.bytes(c)).into_owned())
                        .unwrap_or_default();
                }
                false
            }
            K::ImportDeclaration => {
                self.import_declaration(node);
                false
            }
            // Leaves: not even worth asking the cursor for children.
            K::Token
            | K::Leaf
            | K::Identifier
            | K::FieldIdentifier
            | K::PackageIdentifier
            | K::TokArrow
            | K::TokChan
            | K::TokStar
            | K::TokDefine
            | K::TokLParen
            | K::TokRParen => false,
            K::FunctionDeclaration => self.func(node, FuncKind::Func, depth),
            K::MethodDeclaration => self.func(node, FuncKind::Method, depth),
            K::FuncLiteral => self.func(node, FuncKind::Literal, depth),
            k if k.is_type_like() => false,
            K::Block
            | K::IfStatement
            | K::ForStatement
            | K::ExpressionSwitchStatement
            | K::ExpressionCase
            | K::DefaultCase
            | K::TypeCase
            | K::CommunicationCase => {
                self.push_scope(depth);
                true
            }
            K::TypeSwitchStatement => {
                self.push_scope(depth);
                // The alias is declared in every clause; declaring it for the
                // whole statement only misjudges `switch x := x.F().(type)`.
                if let Some(alias) = node.child_by_field_id(self.k.f.alias) {
                    let start = self.pending.len();
                    self.pending_idents(alias);
                    if self.pending.len() > start {
                        let names = self.pending.split_off(start);
                        self.shadows.extend(names);
                    }
                }
                true
            }
            K::ShortVarDeclaration => match node.child_by_field_id(self.k.f.left) {
                Some(left) => self.declare_after(node, left, depth),
                None => true,
            },
            K::RangeClause | K::ReceiveStatement => match node.child_by_field_id(self.k.f.left) {
                Some(left) if self.has_define(node) => self.declare_after(node, left, depth),
                _ => true,
            },
            K::VarSpec | K::ConstSpec if self.frames.is_empty() => {
                spec_names(node, self.k, self.src, &mut self.out);
                !self.quiet(node)
            }
            K::TypeSpec | K::TypeAlias if self.frames.is_empty() => {
                if let Some(name) = node.child_by_field_id(self.k.f.name) {
                    let name = self.bytes(name);
                    push_top(&mut self.out, name);
                }
                true
            }
            K::VarSpec | K::ConstSpec => self.declare_after(node, node, depth),
            K::TypeSpec | K::TypeAlias => {
                if let Some(name) = node.child_by_field_id(self.k.f.name) {
                    let name = self.bytes(name);
                    if self.imports.shadowable(name) {
                        self.shadows.push(name);
                    }
                }
                true
            }
            K::GoStatement | K::DeferStatement => {
                let ctx = if kind == K::GoStatement {
                    CallContext::Go
                } else {
                    CallContext::Defer
                };
                if let Some(call) = self.render().first_named(node) {
                    self.go_defer = Some((call.id(), ctx));
                }
                true
            }
            K::CallExpression => {
                self.call(node);
                true
            }
            K::TypeConversionExpression => {
                self.conversion(node);
                true
            }
            K::CompositeLiteral => {
                self.composite(node);
                true
            }
            K::SelectorExpression => self.selector(node),
            _ => true,
        }
    }

    fn import_declaration(&mut self, node: Node<'a>) {
        let decl = self.out.import_decls.len();
        self.out.import_decls.push(node.byte_range());
        for c in named_children(node, self.k) {
            match self.k.of(c) {
                K::ImportSpec => {
                    import_spec(c, decl, self.src, self.k, &mut self.out, &mut self.imports)
                }
                K::ImportSpecList => {
                    for spec in named_children(c, self.k) {
                        if self.k.of(spec) == K::ImportSpec {
                            import_spec(
                                spec,
                                decl,
                                self.src,
                                self.k,
                                &mut self.out,
                                &mut self.imports,
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        self.imports.finish();
    }

    /// Nothing in `node` can matter: no mark inside it and no dot-import
    /// (which makes any bare call a candidate).
    #[inline]
    fn quiet(&mut self, node: Node) -> bool {
        if !self.imports.dots.is_empty() {
            return false;
        }
        let (start, end) = (node.start_byte(), node.end_byte());
        while self.marks.get(self.next_mark).is_some_and(|&m| m < start) {
            self.next_mark += 1;
        }
        self.marks.get(self.next_mark).is_none_or(|&m| m >= end)
    }

    fn push_scope(&mut self, depth: u32) {
        self.actions
            .push((depth, Action::PopScope(self.shadows.len())));
    }

    /// Names of `list` (identifiers among its named children) become
    /// visible when the walk leaves `stmt`, entered at `depth`; at once when
    /// nothing in `stmt` needs walking (the result: whether to walk it).
    fn declare_after(&mut self, stmt: Node<'a>, list: Node<'a>, depth: u32) -> bool {
        let start = self.pending.len();
        self.pending_idents(list);
        if self.quiet(stmt) {
            if self.pending.len() > start {
                let names = self.pending.split_off(start);
                self.shadows.extend(names);
            }
            return false;
        }
        if self.pending.len() > start {
            self.actions.push((depth, Action::Declare(start)));
        }
        true
    }

    /// Push the shadowing identifiers among `list`'s children to `pending`.
    fn pending_idents(&mut self, list: Node<'a>) {
        if self.imports.is_inert() {
            return;
        }
        for i in 0..list.child_count() {
            let Some(c) = list.child(i) else {
                continue;
            };
            if self.k.of(c) == K::Identifier {
                let name = self.bytes(c);
                if self.imports.shadowable(name) {
                    self.pending.push(name);
                }
            }
        }
    }

    fn has_define(&self, node: Node) -> bool {
        (0..node.child_count())
            .filter_map(|i| node.child(i))
            .any(|c| self.k.of(c) == K::TokDefine)
    }

    fn shadowed(&self, name: &[u8]) -> bool {
        self.shadows.iter().rev().any(|s| *s == name)
    }

    fn comment(&mut self, node: Node) {
        let text = self.bytes(node);
        let start = node.start_position();
        let ignore = comments::is_ignore(text);
        self.any_ignore |= ignore;
        if self.out.package_range.is_none() && self.out.build_constraint.is_none() {
            self.out.build_constraint = comments::build_constraint(text);
        }
        let line_start = node.start_byte().saturating_sub(start.column);
        let own_line = self
            .src
            .get(line_start..node.start_byte())
            .is_some_and(|before| before.iter().all(u8::is_ascii_whitespace));
        self.comments.push(CommentRow {
            start_byte: node.start_byte(),
            start_row: row(start.row),
            end_row: row(node.end_position().row),
            own_line,
            ignore,
        });
        if (text.starts_with(b"//line ") || text.starts_with(b"/*line "))
            && let Some(d) = comments::line_directive(text, node.byte_range(), row(start.column))
        {
            if self.out.package_range.is_none() {
                self.out.line_directive = true;
            }
            self.out.line_directives.push(d);
        }
    }

    fn func(&mut self, node: Node<'a>, kind: FuncKind, depth: u32) -> bool {
        let parent = self.frames.last().map(|f| f.func);
        let name = match kind {
            FuncKind::Literal => {
                let (prefix, n) = match self.frames.last_mut() {
                    Some(frame) => {
                        frame.literals += 1;
                        let prefix = self
                            .out
                            .funcs
                            .get(frame.func)
                            .map_or("", |f| f.name.as_str());
                        (prefix, frame.literals)
                    }
                    None => {
                        self.top_literals += 1;
                        ("init", self.top_literals)
                    }
                };
                format!("{prefix}.func{n}")
            }
            _ => {
                let name = node
                    .child_by_field_id(self.k.f.name)
                    .map_or(&[][..], |n| self.bytes(n));
                if kind == FuncKind::Func {
                    push_top(&mut self.out, name);
                }
                String::from_utf8_lossy(name).into_owned()
            }
        };
        let mut declared = std::mem::take(&mut self.declared);
        declared.clear();
        let mut site = self
            .render()
            .func_site(node, kind, name, parent, &mut declared);
        if kind != FuncKind::Literal && self.any_ignore {
            let before = self
                .comments
                .partition_point(|c| c.start_byte < node.start_byte());
            site.ignored = comments::doc_group_ignored(&self.comments, before, site.line - 1);
        }
        let index = self.out.funcs.len();
        self.out.funcs.push(site);

        self.push_scope(depth);
        self.actions.push((depth, Action::PopFunc));
        self.frames.push(Frame {
            func: index,
            literals: 0,
        });
        for name in declared.drain(..) {
            if self.imports.shadowable(name) {
                self.shadows.push(name);
            }
        }
        self.declared = declared;
        true
    }

    fn enclosing(&self) -> Option<usize> {
        self.frames.last().map(|f| f.func)
    }

    fn finish(mut self) -> ScannedFile {
        self.out.import_insert = self
            .out
            .import_decls
            .last()
            .or(self.out.package_range.as_ref())
            .map_or(0, |r| r.end);
        // A bare name declared at package scope in this file is not the
        // dot-import's.
        if self.dot_calls && !self.out.top_level.is_empty() {
            let top = &self.out.top_level;
            self.out.calls.retain(|c| {
                !c.dot_import
                    || !c
                        .callee
                        .rsplit('.')
                        .next()
                        .is_some_and(|n| top.iter().any(|t| t == n))
            });
        }
        if self.any_ignore {
            // A literal is ignored by an ignore comment alone on the line
            // above, or anywhere on its own line.
            let ignores: Vec<&CommentRow> = self.comments.iter().filter(|c| c.ignore).collect();
            for f in &mut self.out.funcs {
                if f.kind == FuncKind::Literal {
                    let line = f.line - 1;
                    f.ignored = ignores.iter().any(|c| {
                        (c.own_line && c.end_row.saturating_add(1) == line) || c.start_row == line
                    });
                }
            }
        }
        self.out
    }
}

fn row(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
