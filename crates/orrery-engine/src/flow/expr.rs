//! The expression language of the flow's business rules: the *filters* that decide which
//! items a list may hold and the *boosts* that scale the scores of the items they match,
//! per request or as presets.
//!
//! ```text
//! category in ['Star', 'Planet'] and year >= 1990
//! not tag:old and (genre = 'Horror' or title contains 'war')
//! tag:new * 1.2, genre = 'Horror' * 0.5; (year >= 2020 and tag:featured) * 2
//! ```
//!
//! A condition names a field of the item and tests it:
//!
//! - `id`, `title`, `description` are text and `year` a number.
//! - `category` (or `cat`) is the set of the item's category types and values (a Poppy
//!   object's `Star` and `O`, a film's `genre` and `Comedy`), `tag` (or `tags`) the set of
//!   its tags.
//! - Any other name is first a category type (`genre`, `type`): the item's values of that
//!   type. The parser doesn't know the catalog, so an item without categories of that
//!   type falls back to the attribute of that name. `attributes.price` names an attribute
//!   explicitly (`attributes.a.b` a nested one), which also reaches attributes named like
//!   keywords.
//! - `NAME:VALUE` is shorthand for `NAME = 'VALUE'`: `tag:new`, `cat:Star`, `genre:Horror`.
//!
//! The tests are `=` (or `==`), `!=`, `<`, `<=`, `>`, `>=` (numbers only), `in [..]`,
//! `not in [..]`, `contains` (a substring of text, a member of a set) and a bare name,
//! which holds when the value is `true`, non-zero or non-empty. Conditions combine with
//! `not`, `and` and `or`, in that order of precedence, and parentheses. A boost is
//! `CONDITION * FACTOR`; boosts separated by `,` or `;` multiply.
//!
//! Text compares ignoring case, because catalogs store `Horror` and people type `horror`.
//! A set matches a test when any element does, and `!=` and `not in` hold when no element
//! does. A missing value fails every test except `!=` and `not in`. A quoted string
//! never equals a number or a boolean; a shorthand value equals the one it spells
//! (`year:1995`, `on_sale:true`).
//!
//! The lexer and recursive-descent parser are written by hand because the grammar is tiny
//! and every error must name the character where it was found.

use orrery_core::{Category, ItemRecord};
use serde_json::{Map, Value};

/// The longest expression accepted, in characters.
pub const MAX_LENGTH: usize = 4096;

/// How deeply parentheses and `not` may nest. The parser recurses once per level, so
/// this bounds the stack a hostile request can use.
pub const MAX_DEPTH: usize = 64;

/// A compiled filter: which items a list may hold.
#[derive(Debug, Clone)]
pub struct Filter {
    source: String,
    expr: Expr,
}

impl Filter {
    /// Compiles `source`, a boolean expression such as
    /// `category in ['Star', 'Planet'] and year >= 1990`.
    pub fn parse(source: &str) -> Result<Filter, ExprError> {
        let mut parser = Parser::new(source)?;
        let expr = parser.condition()?;
        let rest = parser.peek();
        if rest.tok != Tok::End {
            return Err(expected("'and', 'or' or the end of the filter", rest));
        }
        Ok(Filter {
            source: source.to_owned(),
            expr,
        })
    }

    /// Whether `item` passes the filter.
    pub fn admits(&self, item: &ItemRecord) -> bool {
        self.expr.holds(item)
    }

    /// The expression as it was given.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Compiled boosts: factors that scale the scores of the items their conditions match.
#[derive(Debug, Clone)]
pub struct Boosts {
    source: String,
    boosts: Vec<Boost>,
}

#[derive(Debug, Clone)]
struct Boost {
    condition: Expr,
    factor: f32,
}

impl Boosts {
    /// Compiles `source`, boosts of the form `CONDITION * FACTOR` separated by `,` or `;`,
    /// such as `tag:new * 1.2, genre = 'Horror' * 0.5`. Each factor must be in (0, 1000].
    /// An empty or blank source compiles to no boosts.
    pub fn parse(source: &str) -> Result<Boosts, ExprError> {
        let mut parser = Parser::new(source)?;
        let mut boosts = Vec::new();
        while parser.peek().tok != Tok::End {
            let condition = parser.condition()?;
            let star = parser.advance();
            if star.tok != Tok::Star {
                return Err(expected("'and', 'or' or '*' and a boost factor", &star));
            }
            let factor = parser.factor()?;
            boosts.push(Boost { condition, factor });
            let separator = parser.peek();
            match separator.tok {
                Tok::Comma | Tok::Semicolon => {
                    parser.advance();
                }
                Tok::End => {}
                _ => return Err(expected("',' or ';' between boosts", separator)),
            }
        }
        Ok(Boosts {
            source: source.to_owned(),
            boosts,
        })
    }

    /// The product of the factors of the boosts that match `item`; 1.0 when none does.
    pub fn factor(&self, item: &ItemRecord) -> f32 {
        let product: f32 = self
            .boosts
            .iter()
            .filter(|boost| boost.condition.holds(item))
            .map(|boost| boost.factor)
            .product();
        // Hundreds of large factors could overflow; a ranking needs a finite score.
        product.min(f32::MAX)
    }

    /// The boosts as they were given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether there are no boosts at all.
    pub fn is_empty(&self) -> bool {
        self.boosts.is_empty()
    }
}

/// Why an expression could not be compiled, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("at character {position}: {message}")]
pub struct ExprError {
    /// The 1-based character column where the problem was found (one past the last
    /// character for problems at the end of the input).
    pub position: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl ExprError {
    fn new(position: usize, message: impl Into<String>) -> ExprError {
        ExprError {
            position,
            message: message.into(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The compiled form and its evaluation.

#[derive(Debug, Clone)]
enum Expr {
    // `and` and `or` chains are flat so that a long chain doesn't make a deep tree.
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Test(Field, Check),
}

impl Expr {
    fn holds(&self, item: &ItemRecord) -> bool {
        match self {
            Expr::Or(terms) => terms.iter().any(|term| term.holds(item)),
            Expr::And(terms) => terms.iter().all(|term| term.holds(item)),
            Expr::Not(inner) => !inner.holds(item),
            Expr::Test(field, check) => check.holds(field.resolve(item)),
        }
    }
}

/// What a name refers to, decided at parse time as far as the catalog allows.
#[derive(Debug, Clone)]
enum Field {
    Id,
    Title,
    Description,
    Year,
    Categories,
    Tags,
    /// A category type if the item has categories of that type, else an attribute.
    Named {
        /// The name lowercased, to compare with category types.
        kind: Box<str>,
        /// The name as typed, split at dots, to look up attributes.
        path: Vec<Box<str>>,
    },
    /// `attributes.NAME`: an attribute, never a category type.
    Attribute(Vec<Box<str>>),
}

impl Field {
    fn from_name(name: &str) -> Field {
        let kind = lowercase(name);
        match kind.as_str() {
            "id" => Field::Id,
            "title" => Field::Title,
            "description" => Field::Description,
            "year" => Field::Year,
            "category" | "categories" | "cat" => Field::Categories,
            "tag" | "tags" => Field::Tags,
            // Attribute keys keep the case they were typed in; lookups try it first.
            _ => match name.split_once('.') {
                Some((prefix, path)) if prefix.eq_ignore_ascii_case("attributes") => {
                    Field::Attribute(split_path(path))
                }
                _ => Field::Named {
                    kind: kind.into(),
                    path: split_path(name),
                },
            },
        }
    }

    fn resolve<'a>(&'a self, item: &'a ItemRecord) -> Resolved<'a> {
        match self {
            Field::Id => Resolved::One(Scalar::Text(&item.id)),
            Field::Title => Resolved::One(Scalar::Text(&item.title)),
            Field::Description => item
                .description
                .as_deref()
                .map_or(Resolved::Missing, |text| Resolved::One(Scalar::Text(text))),
            Field::Year => item.year.map_or(Resolved::Missing, |year| {
                Resolved::One(Scalar::Number(year.into()))
            }),
            Field::Categories => Resolved::Set(Set::Categories(&item.categories)),
            Field::Tags => Resolved::Set(Set::Tags(&item.tags)),
            Field::Named { kind, path } => {
                if item.categories.iter().any(|c| eq_lower(&c.kind, kind)) {
                    Resolved::Set(Set::Kind(&item.categories, kind))
                } else {
                    Resolved::from_json(attribute(&item.attributes, path))
                }
            }
            Field::Attribute(path) => Resolved::from_json(attribute(&item.attributes, path)),
        }
    }
}

fn split_path(name: &str) -> Vec<Box<str>> {
    name.split('.').map(Box::from).collect()
}

/// The attribute at `path`, descending into nested objects.
fn attribute<'a>(attributes: &'a Map<String, Value>, path: &[Box<str>]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = lookup(attributes, first)?;
    for key in rest {
        value = lookup(value.as_object()?, key)?;
    }
    Some(value)
}

/// The value of `key`, or failing that of a key that differs only in ASCII case.
fn lookup<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, value)| value)
    })
}

/// A field's value for one item, borrowed from the item.
enum Resolved<'a> {
    Missing,
    One(Scalar<'a>),
    Set(Set<'a>),
}

#[derive(Clone, Copy)]
enum Scalar<'a> {
    Text(&'a str),
    Number(f64),
    Bool(bool),
}

#[derive(Clone, Copy)]
enum Set<'a> {
    Tags(&'a [String]),
    Categories(&'a [Category]),
    /// The values of the categories of one type (lowercase).
    Kind(&'a [Category], &'a str),
    /// A JSON array; elements that are not scalars are skipped.
    Array(&'a [Value]),
}

impl<'a> Resolved<'a> {
    fn from_json(value: Option<&'a Value>) -> Resolved<'a> {
        match value {
            Some(Value::Array(values)) => Resolved::Set(Set::Array(values)),
            Some(value) => scalar(value).map_or(Resolved::Missing, Resolved::One),
            None => Resolved::Missing,
        }
    }

    /// Whether the value, or any element of a set, satisfies `test`.
    fn any(&self, mut test: impl FnMut(Scalar<'a>) -> bool) -> bool {
        match self {
            Resolved::Missing => false,
            Resolved::One(value) => test(*value),
            Resolved::Set(set) => set.any(test),
        }
    }

    fn is_truthy(&self) -> bool {
        match *self {
            Resolved::Missing => false,
            Resolved::One(Scalar::Text(text)) => !text.is_empty(),
            Resolved::One(Scalar::Number(number)) => number != 0.0 && !number.is_nan(),
            Resolved::One(Scalar::Bool(flag)) => flag,
            Resolved::Set(set) => set.any(|_| true),
        }
    }
}

impl<'a> Set<'a> {
    fn any(self, mut test: impl FnMut(Scalar<'a>) -> bool) -> bool {
        match self {
            Set::Tags(tags) => tags.iter().any(|tag| test(Scalar::Text(tag))),
            // A category is named by its type or its value: a Poppy object's `Star` and
            // its `O`, a film's `genre` and its `Comedy`.
            Set::Categories(categories) => categories
                .iter()
                .any(|c| test(Scalar::Text(&c.kind)) || test(Scalar::Text(&c.value))),
            Set::Kind(categories, kind) => categories
                .iter()
                .filter(|c| eq_lower(&c.kind, kind))
                .any(|c| test(Scalar::Text(&c.value))),
            Set::Array(values) => values.iter().filter_map(scalar).any(test),
        }
    }
}

fn scalar(value: &Value) -> Option<Scalar<'_>> {
    match value {
        Value::String(text) => Some(Scalar::Text(text)),
        Value::Number(number) => number.as_f64().map(Scalar::Number),
        Value::Bool(flag) => Some(Scalar::Bool(*flag)),
        _ => None,
    }
}

/// The test a condition applies to a field's value.
#[derive(Debug, Clone)]
enum Check {
    /// A bare name: true, non-zero or non-empty.
    Truthy,
    Equals(Literal),
    NotEquals(Literal),
    Order(Order, f64),
    In(Vec<Literal>),
    NotIn(Vec<Literal>),
    Contains(Literal),
}

impl Check {
    fn holds(&self, value: Resolved<'_>) -> bool {
        match self {
            Check::Truthy => value.is_truthy(),
            Check::Equals(literal) => value.any(|v| literal.equals(v)),
            // "No element matches", which a missing value satisfies.
            Check::NotEquals(literal) => !value.any(|v| literal.equals(v)),
            Check::Order(order, bound) => value.any(|v| match v {
                Scalar::Number(number) => order.holds(number, *bound),
                _ => false,
            }),
            Check::In(list) => value.any(|v| list.iter().any(|literal| literal.equals(v))),
            Check::NotIn(list) => !value.any(|v| list.iter().any(|literal| literal.equals(v))),
            Check::Contains(literal) => match value {
                Resolved::One(Scalar::Text(text)) => contains_lower(text, &literal.text),
                Resolved::Set(set) => set.any(|v| literal.equals(v)),
                _ => false,
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Order {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Order {
    fn holds(self, value: f64, bound: f64) -> bool {
        match self {
            Order::Less => value < bound,
            Order::LessOrEqual => value <= bound,
            Order::Greater => value > bound,
            Order::GreaterOrEqual => value >= bound,
        }
    }
}

/// A value written in an expression, prepared at parse time so that evaluation compares
/// without allocating.
#[derive(Debug, Clone)]
struct Literal {
    /// Lowercase text: a string's contents, or a number or boolean as written (for
    /// `contains`, so that `title contains 2001` finds "2001: A Space Odyssey").
    text: Box<str>,
    /// Whether the literal equals text values: strings and shorthand values do, numbers
    /// and booleans don't.
    is_text: bool,
    number: Option<f64>,
    boolean: Option<bool>,
}

impl Literal {
    fn string(text: &str) -> Literal {
        Literal {
            text: lowercase(text).into(),
            is_text: true,
            number: None,
            boolean: None,
        }
    }

    fn number(number: f64, written: &str) -> Literal {
        Literal {
            text: written.into(),
            is_text: false,
            number: Some(number),
            boolean: None,
        }
    }

    fn boolean(flag: bool) -> Literal {
        Literal {
            text: flag.to_string().into(),
            is_text: false,
            number: None,
            boolean: Some(flag),
        }
    }

    /// A shorthand value (`tag:new`, `year:1995`, `on_sale:true`): unquoted, so it may
    /// stand for whatever it spells.
    fn shorthand(text: &str) -> Literal {
        Literal {
            number: text.parse::<f64>().ok().filter(|n| n.is_finite()),
            boolean: ["true", "false"]
                .into_iter()
                .find(|word| text.eq_ignore_ascii_case(word))
                .map(|word| word == "true"),
            ..Literal::string(text)
        }
    }

    fn equals(&self, value: Scalar<'_>) -> bool {
        match value {
            Scalar::Text(text) => self.is_text && eq_lower(text, &self.text),
            Scalar::Number(number) => self.number == Some(number),
            Scalar::Bool(flag) => self.boolean == Some(flag),
        }
    }
}

/// `text` lowercased the way [`eq_lower`] and [`contains_lower`] lowercase, char by char.
// `str::to_lowercase` treats a final sigma specially, which a char-by-char compare can't.
fn lowercase(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// Whether `text` equals `lower`, which is already lowercase, ignoring case.
fn eq_lower(text: &str, lower: &str) -> bool {
    if text.is_ascii() {
        text.eq_ignore_ascii_case(lower)
    } else {
        text.chars().flat_map(char::to_lowercase).eq(lower.chars())
    }
}

/// Whether `text` contains `lower`, which is already lowercase, ignoring case.
fn contains_lower(text: &str, lower: &str) -> bool {
    if lower.is_empty() {
        return true;
    }
    if text.is_ascii() && lower.is_ascii() {
        let (text, lower) = (text.as_bytes(), lower.as_bytes());
        return text
            .windows(lower.len())
            .any(|window| window.eq_ignore_ascii_case(lower));
    }
    text.char_indices().any(|(start, _)| {
        let mut rest = text[start..].chars().flat_map(char::to_lowercase);
        lower.chars().all(|c| rest.next() == Some(c))
    })
}

// ---------------------------------------------------------------------------------------
// Parsing.

const KEYWORDS: [&str; 7] = ["and", "or", "not", "in", "contains", "true", "false"];

struct Parser<'s> {
    tokens: Vec<Token<'s>>,
    next: usize,
    depth: usize,
}

impl<'s> Parser<'s> {
    fn new(source: &'s str) -> Result<Parser<'s>, ExprError> {
        if source.char_indices().nth(MAX_LENGTH).is_some() {
            return Err(ExprError::new(
                MAX_LENGTH + 1,
                format!(
                    "expected at most {MAX_LENGTH} characters, found {}",
                    source.chars().count()
                ),
            ));
        }
        Ok(Parser {
            tokens: Lexer::new(source).tokens()?,
            next: 0,
            depth: 0,
        })
    }

    fn peek(&self) -> &Token<'s> {
        &self.tokens[self.next]
    }

    /// The next token; the end token repeats forever.
    fn advance(&mut self) -> Token<'s> {
        let token = self.tokens[self.next].clone();
        if token.tok != Tok::End {
            self.next += 1;
        }
        token
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = self.peek().is_keyword(keyword);
        if found {
            self.advance();
        }
        found
    }

    /// `condition := and ('or' and)*`
    fn condition(&mut self) -> Result<Expr, ExprError> {
        let mut terms = vec![self.conjunction()?];
        while self.eat_keyword("or") {
            terms.push(self.conjunction()?);
        }
        Ok(if terms.len() == 1 {
            terms.swap_remove(0)
        } else {
            Expr::Or(terms)
        })
    }

    /// `and := unary ('and' unary)*`
    fn conjunction(&mut self) -> Result<Expr, ExprError> {
        let mut terms = vec![self.unary()?];
        while self.eat_keyword("and") {
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 {
            terms.swap_remove(0)
        } else {
            Expr::And(terms)
        })
    }

    /// `unary := 'not' unary | '(' condition ')' | test`
    fn unary(&mut self) -> Result<Expr, ExprError> {
        let token = self.peek().clone();
        if token.is_keyword("not") {
            self.advance();
            self.descend(&token)?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        if token.tok == Tok::LParen {
            self.advance();
            self.descend(&token)?;
            let inner = self.condition()?;
            self.depth -= 1;
            let close = self.advance();
            if close.tok != Tok::RParen {
                let what = format!("')' to close the '(' at character {}", token.at);
                return Err(expected(&what, &close));
            }
            return Ok(inner);
        }
        self.test()
    }

    fn descend(&mut self, token: &Token<'_>) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::new(
                token.at,
                format!("expected at most {MAX_DEPTH} nested levels of '(' and 'not', found more"),
            ));
        }
        Ok(())
    }

    /// `test := NAME (':' VALUE | OP literal | ['not'] 'in' list | 'contains' literal)?`
    fn test(&mut self) -> Result<Expr, ExprError> {
        let name = self.advance();
        if name.tok != Tok::Name || name.is_any_keyword() {
            return Err(expected("a condition", &name));
        }
        if name.raw.split('.').any(str::is_empty) {
            return Err(expected("a name like attributes.price", &name));
        }
        let field = Field::from_name(name.raw);
        let next = self.peek().clone();
        let check = match next.tok {
            Tok::Colon => {
                self.advance();
                return Ok(Expr::Test(field, Check::Equals(self.shorthand(&name)?)));
            }
            Tok::Cmp(op) => {
                self.advance();
                let after = format!("after '{}'", next.raw);
                let order = match op {
                    Cmp::Eq => return Ok(Expr::Test(field, Check::Equals(self.literal(&after)?))),
                    Cmp::Ne => {
                        return Ok(Expr::Test(field, Check::NotEquals(self.literal(&after)?)));
                    }
                    Cmp::Lt => Order::Less,
                    Cmp::Le => Order::LessOrEqual,
                    Cmp::Gt => Order::Greater,
                    Cmp::Ge => Order::GreaterOrEqual,
                };
                let bound = self.advance();
                match bound.tok {
                    Tok::Num(number) => Check::Order(order, number),
                    // Only numbers are ordered; a filter that could never admit anything
                    // is better refused here than left to puzzle its author.
                    _ => return Err(expected(&format!("a number {after}"), &bound)),
                }
            }
            _ if next.is_keyword("in") => {
                self.advance();
                Check::In(self.list()?)
            }
            _ if next.is_keyword("not") => {
                self.advance();
                let token = self.advance();
                if !token.is_keyword("in") {
                    return Err(expected(&format!("'in' after '{}'", next.raw), &token));
                }
                Check::NotIn(self.list()?)
            }
            _ if next.is_keyword("contains") => {
                self.advance();
                Check::Contains(self.literal(&format!("after '{}'", next.raw))?)
            }
            Tok::Str(_) | Tok::Num(_) | Tok::Word => return Err(missing_operator(&name, &next)),
            Tok::Name if !next.is_any_keyword() => return Err(missing_operator(&name, &next)),
            // A bare name; whatever follows is the caller's to judge.
            _ => Check::Truthy,
        };
        Ok(Expr::Test(field, check))
    }

    /// The value after `NAME:`, quoted or not.
    fn shorthand(&mut self, name: &Token<'_>) -> Result<Literal, ExprError> {
        let token = self.advance();
        match &token.tok {
            Tok::Word => Ok(Literal::shorthand(token.raw)),
            Tok::Str(text) => Ok(Literal::shorthand(text)),
            _ => Err(expected(&format!("a value after '{}:'", name.raw), &token)),
        }
    }

    /// A string, number or boolean; `after` says where, for errors.
    fn literal(&mut self, after: &str) -> Result<Literal, ExprError> {
        let token = self.advance();
        match &token.tok {
            Tok::Str(text) => Ok(Literal::string(text)),
            Tok::Num(number) => Ok(Literal::number(*number, token.raw)),
            _ if token.is_keyword("true") => Ok(Literal::boolean(true)),
            _ if token.is_keyword("false") => Ok(Literal::boolean(false)),
            // The likeliest slip of all: `genre = Horror`.
            Tok::Name if !token.is_any_keyword() => Err(ExprError::new(
                token.at,
                format!(
                    "expected a value {after}, found '{0}' (text must be quoted: '{0}')",
                    shorten(token.raw)
                ),
            )),
            _ => Err(expected(&format!("a value {after}"), &token)),
        }
    }

    /// `list := '[' literal (',' literal)* ','? ']'`, after `in`.
    fn list(&mut self) -> Result<Vec<Literal>, ExprError> {
        let open = self.advance();
        if open.tok != Tok::LBracket {
            return Err(expected("a list like ['a', 'b'] after 'in'", &open));
        }
        let mut list = vec![self.literal("after 'in'")?];
        loop {
            let token = self.advance();
            match token.tok {
                Tok::RBracket => return Ok(list),
                Tok::Comma if self.peek().tok == Tok::RBracket => {
                    self.advance();
                    return Ok(list);
                }
                Tok::Comma => list.push(self.literal("after ','")?),
                _ => return Err(expected("',' or ']' in the list", &token)),
            }
        }
    }

    /// The number after `*` in a boost.
    fn factor(&mut self) -> Result<f32, ExprError> {
        let token = self.advance();
        let Tok::Num(number) = token.tok else {
            return Err(expected("a boost factor after '*'", &token));
        };
        let factor = number as f32;
        // Checked as f32 too: a tiny factor that rounds to 0 would silently zero scores.
        if !(number > 0.0 && number <= 1000.0 && factor > 0.0) {
            return Err(ExprError::new(
                token.at,
                format!(
                    "boost factor must be a number in (0, 1000], found {}",
                    shorten(token.raw)
                ),
            ));
        }
        Ok(factor)
    }
}

fn expected(what: &str, found: &Token<'_>) -> ExprError {
    ExprError::new(
        found.at,
        format!("expected {what}, found {}", found.describe()),
    )
}

fn missing_operator(name: &Token<'_>, found: &Token<'_>) -> ExprError {
    let what = format!(
        "an operator such as '=', 'in' or 'contains' after '{}'",
        shorten(name.raw)
    );
    expected(&what, found)
}

/// At most 32 characters of `text`, so that an error about a long token stays readable.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(32) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Lexing.

#[derive(Debug, Clone)]
struct Token<'s> {
    tok: Tok,
    /// The token as written (with its quotes, for strings).
    raw: &'s str,
    /// The 1-based character column where it starts.
    at: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A name or a keyword; keywords are told apart by the parser, ignoring case.
    Name,
    /// A quoted string, unescaped.
    Str(String),
    Num(f64),
    /// An unquoted value after `:`.
    Word,
    Colon,
    Cmp(Cmp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Semicolon,
    Star,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Token<'_> {
    fn is_keyword(&self, keyword: &str) -> bool {
        self.tok == Tok::Name && self.raw.eq_ignore_ascii_case(keyword)
    }

    fn is_any_keyword(&self) -> bool {
        KEYWORDS.iter().any(|keyword| self.is_keyword(keyword))
    }

    /// The token for "found ..." in errors.
    fn describe(&self) -> String {
        match self.tok {
            Tok::End => "end of input".to_owned(),
            // Strings bring their own quotes; numbers read best bare.
            Tok::Str(_) | Tok::Num(_) => shorten(self.raw),
            _ => format!("'{}'", shorten(self.raw)),
        }
    }
}

struct Lexer<'s> {
    source: &'s str,
    /// Byte offset of the next character.
    offset: usize,
    /// 1-based character column of the next character.
    column: usize,
    /// Set after `:`, where an unquoted value follows.
    value_next: bool,
}

impl<'s> Lexer<'s> {
    fn new(source: &'s str) -> Lexer<'s> {
        Lexer {
            source,
            offset: 0,
            column: 1,
            value_next: false,
        }
    }

    fn tokens(mut self) -> Result<Vec<Token<'s>>, ExprError> {
        let mut tokens = Vec::new();
        loop {
            let token = self.token()?;
            let end = token.tok == Tok::End;
            tokens.push(token);
            if end {
                return Ok(tokens);
            }
        }
    }

    fn peek(&self) -> Option<char> {
        self.source[self.offset..].chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.source[self.offset..].chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.offset += c.len_utf8();
        self.column += 1;
        Some(c)
    }

    fn eat_while(&mut self, accept: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&accept) {
            self.bump();
        }
    }

    fn token(&mut self) -> Result<Token<'s>, ExprError> {
        self.eat_while(char::is_whitespace);
        let (start, at) = (self.offset, self.column);
        let token = |lexer: &Lexer<'s>, tok| Token {
            tok,
            raw: &lexer.source[start..lexer.offset],
            at,
        };
        if std::mem::take(&mut self.value_next) && self.peek().is_some_and(is_value_char) {
            self.eat_while(is_value_char);
            return Ok(token(self, Tok::Word));
        }
        let Some(c) = self.bump() else {
            return Ok(token(self, Tok::End));
        };
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            ';' => Tok::Semicolon,
            '*' => Tok::Star,
            ':' => {
                self.value_next = true;
                Tok::Colon
            }
            '\'' | '"' => Tok::Str(self.string(c, at)?),
            '=' | '!' | '<' | '>' => {
                self.eat_while(is_operator_char);
                Tok::Cmp(match &self.source[start..self.offset] {
                    "=" | "==" => Cmp::Eq,
                    "!=" => Cmp::Ne,
                    "<" => Cmp::Lt,
                    "<=" => Cmp::Le,
                    ">" => Cmp::Gt,
                    ">=" => Cmp::Ge,
                    other => {
                        return Err(ExprError::new(
                            at,
                            format!(
                                "unknown operator '{other}', expected one of = == != < <= > >="
                            ),
                        ));
                    }
                })
            }
            '-' | '0'..='9' => Tok::Num(self.number(c, start, at)?),
            c if c.is_alphabetic() || c == '_' => {
                self.eat_while(is_name_char);
                Tok::Name
            }
            other => {
                return Err(ExprError::new(
                    at,
                    format!("expected a name, value or operator, found '{other}'"),
                ));
            }
        };
        Ok(token(self, tok))
    }

    /// The rest of a string opened by `quote` at column `at`, unescaped.
    fn string(&mut self, quote: char, at: usize) -> Result<String, ExprError> {
        let unterminated = || {
            ExprError::new(
                at,
                format!("unterminated string, expected a closing {quote} before the end"),
            )
        };
        let mut text = String::new();
        loop {
            match self.bump().ok_or_else(unterminated)? {
                c if c == quote => return Ok(text),
                '\\' => match self.bump().ok_or_else(unterminated)? {
                    escaped @ ('\'' | '"' | '\\') => text.push(escaped),
                    // Other backslashes are kept, so `C:\dir` needs no doubling.
                    other => {
                        text.push('\\');
                        text.push(other);
                    }
                },
                c => text.push(c),
            }
        }
    }

    /// The rest of a number that starts with `first` (a digit or `-`).
    fn number(&mut self, first: char, start: usize, at: usize) -> Result<f64, ExprError> {
        if first == '-' && !self.peek().is_some_and(|c| c.is_ascii_digit()) {
            let found = match self.peek() {
                None => "end of input".to_owned(),
                Some(c) if c.is_whitespace() => "a space".to_owned(),
                Some(c) => format!("'{c}'"),
            };
            return Err(ExprError::new(
                at,
                format!("expected a digit after '-', found {found}"),
            ));
        }
        self.eat_while(|c| c.is_ascii_digit());
        if self.peek() == Some('.') && self.peek_second().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
            self.eat_while(|c| c.is_ascii_digit());
        }
        // `1e5`, `1.2.3`, `20abc`: one malformed token, not a number and a name.
        if self.peek().is_some_and(is_name_char) {
            self.eat_while(is_name_char);
            let written = &self.source[start..self.offset];
            return Err(ExprError::new(
                at,
                format!("expected a number, found '{}'", shorten(written)),
            ));
        }
        let written = &self.source[start..self.offset];
        written
            .parse()
            .map_err(|_| ExprError::new(at, format!("expected a number, found '{written}'")))
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-')
}

fn is_operator_char(c: char) -> bool {
    matches!(c, '=' | '!' | '<' | '>')
}

/// Characters of an unquoted shorthand value: anything but space and punctuation that
/// means something in the language.
fn is_value_char(c: char) -> bool {
    !c.is_whitespace() && !"()[],;*'\"=!<>:".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    use orrery_core::Category;
    use serde_json::json;

    fn item(id: &str, title: &str, categories: &[(&str, &str)], tags: &[&str]) -> ItemRecord {
        ItemRecord {
            title: title.to_owned(),
            categories: categories
                .iter()
                .map(|(kind, value)| Category::new(*kind, *value))
                .collect(),
            tags: tags.iter().map(|tag| tag.to_string()).collect(),
            ..ItemRecord::with_id(id)
        }
    }

    fn star() -> ItemRecord {
        ItemRecord {
            year: Some(1995),
            description: Some("The brightest star of the night sky".to_owned()),
            ..item("sirius", "Sirius", &[("type", "Star")], &["new", "bright"])
        }
    }

    fn planet() -> ItemRecord {
        ItemRecord {
            year: Some(1980),
            ..item(
                "jupiter",
                "Jupiter",
                &[("type", "Planet"), ("Planet", "Gas Giant")],
                &["old"],
            )
        }
    }

    fn moon() -> ItemRecord {
        ItemRecord {
            year: Some(2021),
            ..item("europa", "Europa", &[("type", "Moon")], &["featured"])
        }
    }

    /// No year, no description: the missing values.
    fn film() -> ItemRecord {
        let attributes = json!({
            "price": 9.5,
            "on_sale": true,
            "formats": ["DVD", "Blu-ray", 4],
            "studio": {"name": "Paramount"},
            "and": "keyword",
        });
        ItemRecord {
            attributes: attributes.as_object().unwrap().clone(),
            ..item(
                "m1",
                "The War of the Worlds",
                &[("genre", "Horror"), ("genre", "Science Fiction")],
                &["new"],
            )
        }
    }

    fn items() -> Vec<ItemRecord> {
        vec![star(), planet(), moon(), film()]
    }

    /// The ids of the test items that `filter` admits.
    fn admitted(filter: &str) -> Vec<String> {
        let filter = Filter::parse(filter).unwrap_or_else(|e| panic!("{filter:?}: {e}"));
        items()
            .into_iter()
            .filter(|item| filter.admits(item))
            .map(|item| item.id)
            .collect()
    }

    fn admits(filter: &str, item: &ItemRecord) -> bool {
        Filter::parse(filter)
            .unwrap_or_else(|e| panic!("{filter:?}: {e}"))
            .admits(item)
    }

    #[test]
    fn a_category_is_named_by_its_type_or_its_value() {
        // The Poppy catalog's shape: the object type is the category type.
        let star = item("star-001", "Zeta Puppis", &[("Star", "O")], &[]);
        assert!(admits("category in ['Star','Planet']", &star));
        assert!(admits("category = 'o'", &star));
        assert!(admits("cat:star", &star));
        assert!(!admits("category != 'Star'", &star));
        assert!(!admits("category not in ['star', 'moon']", &star));
        assert!(!admits("category = 'Planet'", &star));
    }

    #[test]
    fn the_documented_examples() {
        let cases: &[(&str, &[&str])] = &[
            (
                "category in ['Star','Planet'] and year >= 1990",
                &["sirius"],
            ),
            ("genre = 'Horror' or genre = \"Thriller\"", &["m1"]),
            ("not tag:old", &["sirius", "europa", "m1"]),
            // Sirius is new but has no price: missing fails `<`.
            ("tag:new and price < 20.5", &["m1"]),
            (
                "(category = 'Moon' or category = 'Planet') and not (year < 2000)",
                &["europa"],
            ),
            (
                "category not in ['Drama']",
                &["sirius", "jupiter", "europa", "m1"],
            ),
            ("title contains 'war'", &["m1"]),
        ];
        for (filter, expected) in cases {
            assert_eq!(admitted(filter), *expected, "{filter}");
        }
    }

    #[test]
    fn names_resolve_to_fields_category_types_and_attributes() {
        let (star, planet, film) = (star(), planet(), film());
        assert!(admits("id = 'SIRIUS'", &star));
        assert!(admits("description contains 'night'", &star));
        assert!(admits("type = 'star'", &star));
        assert!(admits("planet = 'gas giant'", &planet));
        assert!(admits("cat:Star", &star));
        assert!(admits("cat:'Gas Giant'", &planet));
        assert!(admits("genre:horror", &film));
        assert!(admits("genre:\"science fiction\"", &film));
        assert!(admits("tags contains 'bright'", &star));
        assert!(
            !admits("tag contains 'brig'", &star),
            "membership, not substring"
        );
        assert!(admits("categories = 'Gas Giant'", &planet));
        assert!(admits("year:1995", &star));
        assert!(admits("price = 9.5", &film));
        assert!(admits("attributes.price > 9", &film));
        assert!(admits("attributes.studio.name = 'paramount'", &film));
        assert!(admits("Attributes.Studio.Name = 'paramount'", &film));
        assert!(admits("studio.name contains 'mount'", &film));
        assert!(admits("attributes.and = 'keyword'", &film));
        assert!(admits("PRICE >= 9.5", &film), "attribute keys ignore case");
        assert!(admits("formats = 'blu-ray'", &film));
        assert!(admits("formats contains 'dvd'", &film));
        assert!(admits("formats in [4]", &film));
        assert!(
            admits("formats > 3", &film),
            "a set is ordered by any element"
        );
    }

    #[test]
    fn category_types_fall_back_to_attributes() {
        let mut drama = item("d", "Drama", &[], &[]);
        drama.attributes.insert("genre".to_owned(), json!("Drama"));
        assert!(admits("genre = 'drama'", &drama));
        // An item with categories of the type ignores the attribute.
        let mut film = film();
        film.attributes.insert("genre".to_owned(), json!("Drama"));
        assert!(!admits("genre = 'drama'", &film));
        assert!(admits("genre = 'horror'", &film));
    }

    #[test]
    fn bare_names_test_truthiness() {
        let mut film = film();
        assert!(admits("on_sale", &film));
        assert!(admits("on_sale = true", &film));
        assert!(admits("on_sale:true", &film));
        assert!(
            !admits("on_sale = 'true'", &film),
            "a string is not a boolean"
        );
        assert!(!admits("price = '9.5'", &film), "a string is not a number");
        assert!(admits("price and tag and title", &film));
        assert!(!admits("year", &film));
        assert!(!admits("description", &film));
        assert!(!admits("category", &ItemRecord::with_id("bare")));
        film.attributes.insert("on_sale".to_owned(), json!(false));
        film.attributes.insert("price".to_owned(), json!(0));
        film.attributes.insert("formats".to_owned(), json!([]));
        assert!(!admits("on_sale or price or formats", &film));
        assert!(admits("not on_sale", &film));
    }

    #[test]
    fn text_compares_ignoring_case() {
        let (star, film) = (star(), film());
        assert!(admits("TYPE = 'STAR' AND Tag:NEW", &star));
        assert!(admits("Category In ['star'] and NOT tag:Old", &star));
        assert!(admits("title CONTAINS 'WORLDS'", &film));
        assert!(admits("genre == 'HORROR'", &film));
        assert!(!admits("genre != 'hOrRoR'", &film));
        let accented = item("a", "Ærø ÉVASION", &[("Genre", "Ñandú")], &[]);
        assert!(admits("title contains 'évasion'", &accented));
        assert!(admits("title = 'ærø évasion'", &accented));
        assert!(admits("genre = 'ÑANDÚ'", &accented));
    }

    #[test]
    fn missing_values_fail_all_but_negations() {
        let film = film();
        for filter in [
            "year >= 1990",
            "year < 1990",
            "year = 2005",
            "year in [2005]",
            "description contains 'war'",
            "description = ''",
            "attributes.missing = 'x'",
            "studio.name = 'x'",
        ] {
            assert!(!admits(filter, &film), "{filter}");
        }
        for filter in [
            "year != 2005",
            "year not in [2005, 2006]",
            "not (year < 2000)",
            "director != 'Spielberg'",
        ] {
            assert!(admits(filter, &film), "{filter}");
        }
    }

    #[test]
    fn sets_match_any_element_and_negations_none() {
        let film = film();
        assert!(admits("genre = 'science fiction'", &film));
        assert!(admits("genre in ['Comedy', 'Horror']", &film));
        assert!(!admits("genre != 'Horror'", &film));
        assert!(admits("genre != 'Comedy'", &film));
        assert!(!admits("genre not in ['Comedy', 'horror']", &film));
        assert!(admits("genre not in ['Comedy', 'Drama',]", &film));
        // Ordering needs numbers on both sides.
        assert!(!admits("title > 5", &film));
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        // `tag:old or (tag:new and year > 2000)`: Jupiter is old, Sirius new but 1995.
        assert_eq!(admitted("tag:old or tag:new and year > 2000"), ["jupiter"]);
        assert_eq!(
            admitted("(tag:old or tag:new) and year > 2000"),
            [] as [&str; 0]
        );
        // `(not tag:old) and year < 1990`: nothing; `not (tag:old and ...)` everything
        // but Jupiter.
        assert_eq!(admitted("not tag:old and year < 1990"), [] as [&str; 0]);
        assert_eq!(
            admitted("not (tag:old and year < 1990)"),
            ["sirius", "europa", "m1"]
        );
        assert_eq!(admitted("not not tag:old"), ["jupiter"]);
    }

    #[test]
    fn literals_escape_and_negate() {
        let quoted = item("q", "Ender's \"Game\"", &[], &[]);
        assert!(admits(r#"title = 'Ender\'s "Game"'"#, &quoted));
        assert!(admits(r#"title = "ender's \"game\"""#, &quoted));
        let mut cold = item("c", "Cold", &[], &[]);
        cold.attributes
            .insert("temperature".to_owned(), json!(-40.5));
        assert!(admits("temperature < -10 and temperature >= -40.5", &cold));
        assert!(admits("temperature = -40.5", &cold));
        assert!(admits(
            "title contains 2001",
            &item("o", "2001: A Space Odyssey", &[], &[])
        ));
        assert!(admits("title contains ''", &quoted));
        assert!(admits("title contains 'DER\\'S'", &quoted));
    }

    #[test]
    fn boosts_multiply() {
        let boosts = Boosts::parse(
            "tag:new * 1.2, genre = 'Horror' * 0.5; (year >= 2020 and tag:featured) * 2",
        )
        .unwrap();
        assert!(!boosts.is_empty());
        let close = |a: f32, b: f32| (a - b).abs() < 1e-6;
        assert!(close(boosts.factor(&star()), 1.2));
        assert!(close(boosts.factor(&film()), 0.6));
        assert!(close(boosts.factor(&moon()), 2.0));
        assert_eq!(boosts.factor(&planet()), 1.0);
        // The whole condition is boosted: `(tag:old or tag:new) * 3`.
        let boosts = Boosts::parse("tag:old or tag:new * 3;").unwrap();
        assert_eq!(boosts.factor(&planet()), 3.0);
        assert_eq!(boosts.factor(&moon()), 1.0);
    }

    #[test]
    fn huge_products_stay_finite() {
        let boosts = Boosts::parse(&["tag:new * 1000"; 20].join(", ")).unwrap();
        assert!(boosts.factor(&star()).is_finite());
    }

    #[test]
    fn empty_boosts_are_no_boosts() {
        for source in ["", "  "] {
            let boosts = Boosts::parse(source).unwrap();
            assert!(boosts.is_empty());
            assert_eq!(boosts.factor(&star()), 1.0);
        }
    }

    #[test]
    fn sources_are_kept_as_given() {
        let text = "  Tag:New  ";
        assert_eq!(Filter::parse(text).unwrap().source(), text);
        let text = "tag:new*2";
        assert_eq!(Boosts::parse(text).unwrap().source(), text);
    }

    #[test]
    fn compiled_forms_are_shareable() {
        fn shareable<T: Clone + std::fmt::Debug + Send + Sync>() {}
        shareable::<Filter>();
        shareable::<Boosts>();
    }

    fn filter_error(source: &str) -> ExprError {
        match Filter::parse(source) {
            Ok(_) => panic!("{source:?} parsed"),
            Err(error) => error,
        }
    }

    fn boost_error(source: &str) -> ExprError {
        match Boosts::parse(source) {
            Ok(_) => panic!("{source:?} parsed"),
            Err(error) => error,
        }
    }

    #[test]
    fn malformed_filters_are_refused_where_they_go_wrong() {
        let cases = [
            ("", 1, "expected a condition, found end of input"),
            ("   ", 4, "expected a condition, found end of input"),
            (
                "title = 'war",
                9,
                "unterminated string, expected a closing ' before the end",
            ),
            (
                "title = \"war\\\"",
                9,
                "unterminated string, expected a closing \" before the end",
            ),
            (
                "category in [",
                14,
                "expected a value after 'in', found end of input",
            ),
            (
                "category in",
                12,
                "expected a list like ['a', 'b'] after 'in', found end of input",
            ),
            (
                "id in x",
                7,
                "expected a list like ['a', 'b'] after 'in', found 'x'",
            ),
            (
                "genre in ['a' 'b']",
                15,
                "expected ',' or ']' in the list, found 'b'",
            ),
            (
                "genre in ['a',,]",
                15,
                "expected a value after ',', found ','",
            ),
            (
                "=> 1990",
                1,
                "unknown operator '=>', expected one of = == != < <= > >=",
            ),
            (
                "year => 1990",
                6,
                "unknown operator '=>', expected one of = == != < <= > >=",
            ),
            (
                "year >= 1990 1995",
                14,
                "expected 'and', 'or' or the end of the filter, found 1995",
            ),
            (
                "(year > 1990",
                13,
                "expected ')' to close the '(' at character 1, found end of input",
            ),
            (
                "year > 1990)",
                12,
                "expected 'and', 'or' or the end of the filter, found ')'",
            ),
            ("()", 2, "expected a condition, found ')'"),
            ("and tag:new", 1, "expected a condition, found 'and'"),
            (
                "tag:new and",
                12,
                "expected a condition, found end of input",
            ),
            (
                "tag:",
                5,
                "expected a value after 'tag:', found end of input",
            ),
            (
                "year < 'abc'",
                8,
                "expected a number after '<', found 'abc'",
            ),
            (
                "year >",
                7,
                "expected a number after '>', found end of input",
            ),
            (
                "genre = Horror",
                9,
                "expected a value after '=', found 'Horror' (text must be quoted: 'Horror')",
            ),
            (
                "genre not 'Horror'",
                11,
                "expected 'in' after 'not', found 'Horror'",
            ),
            (
                "title 'war'",
                7,
                "expected an operator such as '=', 'in' or 'contains' after 'title', found 'war'",
            ),
            ("price < 1e5", 9, "expected a number, found '1e5'"),
            (
                "price < - 5",
                9,
                "expected a digit after '-', found a space",
            ),
            ("tag@x", 4, "expected a name, value or operator, found '@'"),
            (
                "attributes. = 1",
                1,
                "expected a name like attributes.price, found 'attributes.'",
            ),
            (
                "tag:new * 2",
                9,
                "expected 'and', 'or' or the end of the filter, found '*'",
            ),
            // Columns count characters, not bytes.
            (
                "title = 'Évasion' @",
                19,
                "expected a name, value or operator, found '@'",
            ),
        ];
        for (source, position, message) in cases {
            let error = filter_error(source);
            assert_eq!(
                error,
                ExprError::new(position, message),
                "{source:?}: {error}"
            );
        }
    }

    #[test]
    fn malformed_boosts_are_refused_where_they_go_wrong() {
        let cases = [
            (
                "tag:new * 0",
                11,
                "boost factor must be a number in (0, 1000], found 0",
            ),
            (
                "tag:new * -2",
                11,
                "boost factor must be a number in (0, 1000], found -2",
            ),
            (
                "tag:new * 1000.5",
                11,
                "boost factor must be a number in (0, 1000], found 1000.5",
            ),
            (
                "tag:new * 0.0000000000000000000000000000000000000000000001",
                11,
                "boost factor must be a number in (0, 1000], found \
                 0.000000000000000000000000000000…",
            ),
            (
                "tag:new * 'x'",
                11,
                "expected a boost factor after '*', found 'x'",
            ),
            (
                "tag:new 1.2",
                9,
                "expected 'and', 'or' or '*' and a boost factor, found 1.2",
            ),
            (
                "on_sale",
                8,
                "expected 'and', 'or' or '*' and a boost factor, found end of input",
            ),
            (
                "tag:new * 2 * 3",
                13,
                "expected ',' or ';' between boosts, found '*'",
            ),
            (
                "tag:new * 2,, tag:old * 3",
                13,
                "expected a condition, found ','",
            ),
        ];
        for (source, position, message) in cases {
            let error = boost_error(source);
            assert_eq!(
                error,
                ExprError::new(position, message),
                "{source:?}: {error}"
            );
        }
        assert_eq!(
            boost_error("tag:new * 0").to_string(),
            "at character 11: boost factor must be a number in (0, 1000], found 0"
        );
    }

    #[test]
    fn nesting_is_limited() {
        let nested = |depth: usize| format!("{}tag:new{}", "(".repeat(depth), ")".repeat(depth));
        assert!(Filter::parse(&nested(MAX_DEPTH)).is_ok());
        let error = filter_error(&nested(MAX_DEPTH + 1));
        assert_eq!(error.position, MAX_DEPTH + 1);
        assert_eq!(
            error.message,
            "expected at most 64 nested levels of '(' and 'not', found more"
        );
        let nots = |depth: usize| format!("{}tag:new", "not ".repeat(depth));
        assert!(Filter::parse(&nots(MAX_DEPTH)).is_ok());
        assert_eq!(
            filter_error(&nots(MAX_DEPTH + 1)).position,
            4 * MAX_DEPTH + 1
        );
        assert_eq!(boost_error(&format!("{} * 2", nested(100))).position, 65);
    }

    #[test]
    fn length_is_limited() {
        let longest = format!("{:<MAX_LENGTH$}", "tag:new");
        assert!(Filter::parse(&longest).is_ok());
        let error = filter_error(&format!("{longest} "));
        assert_eq!(
            error,
            ExprError::new(4097, "expected at most 4096 characters, found 4097")
        );
        // Characters, not bytes.
        let accented = format!("title = '{}'", "é".repeat(MAX_LENGTH - 10));
        assert!(Filter::parse(&accented).is_ok());
        let long_boost = vec!["tag:new * 2"; 400].join(", ");
        assert_eq!(boost_error(&long_boost).position, 4097);
    }
}
