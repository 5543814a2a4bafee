//! Node-kind and field tables for tree-sitter-go, built once per
//! [`Scanner`](super::Scanner).
//!
//! The walk dispatches on every node it visits; comparing `node.kind()`
//! strings would dominate the scan's cost. Instead every grammar symbol id is
//! mapped once to a small [`K`] enum (several ids can share one name, e.g. the
//! `identifier` alias produced for `new`/`make`, so the table is built from
//! names, not looked up by name), and field names are resolved to ids.

use tree_sitter::{Language, Node};

/// The node kinds the scanner cares about; everything else is `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum K {
    Other,
    /// An anonymous token (keyword, punctuation) not listed below: a leaf.
    Token,
    /// A named node with nothing inside worth walking: literals, labels.
    Leaf,
    Comment,
    PackageClause,
    PackageIdentifier,
    ImportDeclaration,
    ImportSpec,
    ImportSpecList,
    Dot,
    BlankIdentifier,
    FunctionDeclaration,
    MethodDeclaration,
    FuncLiteral,
    ParameterList,
    ParameterDeclaration,
    VariadicParameterDeclaration,
    TypeParameterList,
    TypeParameterDeclaration,
    Block,
    Identifier,
    FieldIdentifier,
    TypeIdentifier,
    // Types.
    QualifiedType,
    GenericType,
    TypeArguments,
    TypeElem,
    TypeConstraint,
    PointerType,
    ArrayType,
    ImplicitLengthArrayType,
    SliceType,
    MapType,
    ChannelType,
    FunctionType,
    StructType,
    FieldDeclarationList,
    FieldDeclaration,
    InterfaceType,
    MethodElem,
    NegatedType,
    ParenthesizedType,
    // Declarations.
    VarDeclaration,
    VarSpec,
    VarSpecList,
    ConstDeclaration,
    ConstSpec,
    TypeDeclaration,
    TypeSpec,
    TypeAlias,
    ShortVarDeclaration,
    ExpressionList,
    RangeClause,
    ReceiveStatement,
    // Scopes.
    IfStatement,
    ForStatement,
    ExpressionSwitchStatement,
    TypeSwitchStatement,
    ExpressionCase,
    DefaultCase,
    TypeCase,
    CommunicationCase,
    GoStatement,
    DeferStatement,
    // Expressions.
    CallExpression,
    ArgumentList,
    VariadicArgument,
    SelectorExpression,
    IndexExpression,
    ParenthesizedExpression,
    TypeConversionExpression,
    CompositeLiteral,
    LiteralValue,
    BinaryExpression,
    UnaryExpression,
    /// Other statements and expressions that declare nothing outside
    /// themselves (`return`, assignments, `x++`, slices, keyed elements…).
    PlainExpr,
    // Anonymous tokens.
    TokArrow,
    TokChan,
    TokStar,
    TokDefine,
    TokLParen,
    TokRParen,
}

/// Field ids (0 = the grammar has no such field, never matches).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Fields {
    pub name: u16,
    pub ty: u16,
    pub parameters: u16,
    pub result: u16,
    pub body: u16,
    pub receiver: u16,
    pub type_parameters: u16,
    pub type_arguments: u16,
    pub package: u16,
    pub path: u16,
    pub length: u16,
    pub element: u16,
    pub key: u16,
    pub value: u16,
    pub function: u16,
    pub arguments: u16,
    pub operand: u16,
    pub field: u16,
    pub left: u16,
    pub right: u16,
    pub alias: u16,
    pub tag: u16,
    pub operator: u16,
    pub index: u16,
}

/// Symbol-id → [`K`] table plus field ids for one grammar.
pub(crate) struct Kinds {
    table: Vec<K>,
    pub f: Fields,
}

impl Kinds {
    pub(crate) fn new(lang: &Language) -> Kinds {
        let count = lang.node_kind_count();
        let mut table = vec![K::Other; count];
        for (id, slot) in table.iter_mut().enumerate() {
            let Ok(id16) = u16::try_from(id) else { break };
            let Some(name) = lang.node_kind_for_id(id16) else {
                continue;
            };
            *slot = if lang.node_kind_is_named(id16) {
                named_kind(name)
            } else {
                anon_kind(name)
            };
        }
        let field = |n: &str| lang.field_id_for_name(n).map_or(0, |f| f.get());
        let f = Fields {
            name: field("name"),
            ty: field("type"),
            parameters: field("parameters"),
            result: field("result"),
            body: field("body"),
            receiver: field("receiver"),
            type_parameters: field("type_parameters"),
            type_arguments: field("type_arguments"),
            package: field("package"),
            path: field("path"),
            length: field("length"),
            element: field("element"),
            key: field("key"),
            value: field("value"),
            function: field("function"),
            arguments: field("arguments"),
            operand: field("operand"),
            field: field("field"),
            left: field("left"),
            right: field("right"),
            alias: field("alias"),
            tag: field("tag"),
            operator: field("operator"),
            index: field("index"),
        };
        Kinds { table, f }
    }

    /// The kind of `node` (`Other` for ERROR and unknown symbols).
    #[inline]
    pub(crate) fn of(&self, node: Node) -> K {
        self.table
            .get(usize::from(node.kind_id()))
            .copied()
            .unwrap_or(K::Other)
    }
}

fn named_kind(name: &str) -> K {
    match name {
        "comment" => K::Comment,
        "package_clause" => K::PackageClause,
        "package_identifier" => K::PackageIdentifier,
        "import_declaration" => K::ImportDeclaration,
        "import_spec" => K::ImportSpec,
        "import_spec_list" => K::ImportSpecList,
        "dot" => K::Dot,
        "blank_identifier" => K::BlankIdentifier,
        "function_declaration" => K::FunctionDeclaration,
        "method_declaration" => K::MethodDeclaration,
        "func_literal" => K::FuncLiteral,
        "parameter_list" => K::ParameterList,
        "parameter_declaration" => K::ParameterDeclaration,
        "variadic_parameter_declaration" => K::VariadicParameterDeclaration,
        "type_parameter_list" => K::TypeParameterList,
        "type_parameter_declaration" => K::TypeParameterDeclaration,
        "block" => K::Block,
        "identifier" => K::Identifier,
        "field_identifier" => K::FieldIdentifier,
        "type_identifier" => K::TypeIdentifier,
        "qualified_type" => K::QualifiedType,
        "generic_type" => K::GenericType,
        "type_arguments" => K::TypeArguments,
        "type_elem" => K::TypeElem,
        "type_constraint" => K::TypeConstraint,
        "pointer_type" => K::PointerType,
        "array_type" => K::ArrayType,
        "implicit_length_array_type" => K::ImplicitLengthArrayType,
        "slice_type" => K::SliceType,
        "map_type" => K::MapType,
        "channel_type" => K::ChannelType,
        "function_type" => K::FunctionType,
        "struct_type" => K::StructType,
        "field_declaration_list" => K::FieldDeclarationList,
        "field_declaration" => K::FieldDeclaration,
        "interface_type" => K::InterfaceType,
        "method_elem" => K::MethodElem,
        "negated_type" => K::NegatedType,
        "parenthesized_type" => K::ParenthesizedType,
        "var_declaration" => K::VarDeclaration,
        "var_spec" => K::VarSpec,
        "var_spec_list" => K::VarSpecList,
        "const_declaration" => K::ConstDeclaration,
        "const_spec" => K::ConstSpec,
        "type_declaration" => K::TypeDeclaration,
        "type_spec" => K::TypeSpec,
        "type_alias" => K::TypeAlias,
        "short_var_declaration" => K::ShortVarDeclaration,
        "expression_list" => K::ExpressionList,
        "range_clause" => K::RangeClause,
        "receive_statement" => K::ReceiveStatement,
        "if_statement" => K::IfStatement,
        "for_statement" => K::ForStatement,
        "expression_switch_statement" => K::ExpressionSwitchStatement,
        "type_switch_statement" => K::TypeSwitchStatement,
        "expression_case" => K::ExpressionCase,
        "default_case" => K::DefaultCase,
        "type_case" => K::TypeCase,
        "communication_case" => K::CommunicationCase,
        "go_statement" => K::GoStatement,
        "defer_statement" => K::DeferStatement,
        "call_expression" => K::CallExpression,
        "argument_list" => K::ArgumentList,
        "variadic_argument" => K::VariadicArgument,
        "selector_expression" => K::SelectorExpression,
        "index_expression" => K::IndexExpression,
        "parenthesized_expression" => K::ParenthesizedExpression,
        "type_conversion_expression" => K::TypeConversionExpression,
        "composite_literal" => K::CompositeLiteral,
        "literal_value" => K::LiteralValue,
        "binary_expression" => K::BinaryExpression,
        "unary_expression" => K::UnaryExpression,
        "expression_statement"
        | "return_statement"
        | "inc_statement"
        | "dec_statement"
        | "assignment_statement"
        | "send_statement"
        | "slice_expression"
        | "type_assertion_expression"
        | "keyed_element"
        | "literal_element"
        | "select_statement" => K::PlainExpr,
        "int_literal"
        | "float_literal"
        | "imaginary_literal"
        | "rune_literal"
        | "interpreted_string_literal"
        | "raw_string_literal"
        | "nil"
        | "true"
        | "false"
        | "iota"
        | "label_name"
        | "escape_sequence" => K::Leaf,
        _ => K::Other,
    }
}

fn anon_kind(name: &str) -> K {
    match name {
        "<-" => K::TokArrow,
        "chan" => K::TokChan,
        "*" => K::TokStar,
        ":=" => K::TokDefine,
        "(" => K::TokLParen,
        ")" => K::TokRParen,
        _ => K::Token,
    }
}

impl K {
    /// Kinds whose subtree can be skipped when its text holds no `.`, no
    /// `func` and no directive comment (see `walk::Marks`): expressions and
    /// statements that declare nothing visible outside themselves, and
    /// whole scopes (whatever they declare ends with them).
    pub(crate) fn skippable(self) -> bool {
        matches!(
            self,
            K::PlainExpr
                | K::CallExpression
                | K::ArgumentList
                | K::BinaryExpression
                | K::UnaryExpression
                | K::IndexExpression
                | K::ParenthesizedExpression
                | K::TypeConversionExpression
                | K::CompositeLiteral
                | K::LiteralValue
                | K::ExpressionList
                | K::Block
                | K::IfStatement
                | K::ForStatement
                | K::ExpressionSwitchStatement
                | K::TypeSwitchStatement
                | K::ExpressionCase
                | K::DefaultCase
                | K::TypeCase
                | K::CommunicationCase
                | K::GoStatement
                | K::DeferStatement
        )
    }

    /// Kinds whose subtree is a type (or a parameter list): rendered by
    /// [`super::types`], never walked for call sites.
    pub(crate) fn is_type_like(self) -> bool {
        matches!(
            self,
            K::ParameterList
                | K::TypeParameterList
                | K::TypeIdentifier
                | K::QualifiedType
                | K::GenericType
                | K::TypeArguments
                | K::TypeConstraint
                | K::PointerType
                | K::ArrayType
                | K::ImplicitLengthArrayType
                | K::SliceType
                | K::MapType
                | K::ChannelType
                | K::FunctionType
                | K::StructType
                | K::InterfaceType
                | K::NegatedType
                | K::ParenthesizedType
        )
    }
}
