//! What the checker knows of a built-in function: its signature. The
//! functions themselves (evaluation, windows, docs) live in the function
//! library, which hands the checker its table of signatures; the language
//! does not depend on it.

use crate::lang::program::Type;

/// A function of a checked program: its position in the table of
/// signatures the program was checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func(u16);

impl Func {
    /// The function at position `index` of a table of signatures.
    pub fn at(index: usize) -> Option<Func> {
        u16::try_from(index).ok().map(Func)
    }

    /// Its position in the table of signatures.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// How a function takes its arguments.
#[derive(Clone, Copy, Debug)]
pub enum Params {
    /// Fixed positional parameters; with [`Signature::named`], the
    /// parameters after the first may also be given by name.
    Fixed(&'static [(&'static str, Type)]),
    /// One or more bools (`count_true`).
    Bools,
    /// Named bool operands with number weights (`weighted`).
    Weights,
    /// One indicator or alert with `by:`, named bare: its instances
    /// (`any`, `all`).
    Instances,
}

/// A series parameter.
pub const SERIES: (&str, Type) = ("series", Type::Series);
/// A field parameter: a field of the series given first, written as in a
/// filter (`station`, `"Event Type"`).
pub const FIELD: (&str, Type) = ("field", Type::Field);
/// A duration parameter.
pub const DURATION: (&str, Type) = ("duration", Type::Duration);

/// What the checker needs of a function.
#[derive(Clone, Copy, Debug)]
pub struct Signature {
    /// The name it is called by.
    pub name: &'static str,
    /// Its parameters.
    pub params: Params,
    /// True when arguments may be given by name.
    pub named: bool,
    /// The result type.
    pub result: Type,
    /// How the call is written, for messages (`sum(series, duration)`).
    pub usage: &'static str,
}

/// Looks a function up by name in a table of signatures.
pub fn lookup<'s>(sigs: &'s [Signature], name: &str) -> Option<(Func, &'s Signature)> {
    let i = sigs.iter().position(|s| s.name == name)?;
    Some((Func::at(i)?, &sigs[i]))
}

/// `field`, `distinct` and `count`: the signatures the language's own
/// tests check with (the library's are in the engine).
#[cfg(test)]
pub(crate) const TEST_SIGS: &[Signature] = &[
    Signature {
        name: "field",
        params: Params::Fixed(&[SERIES, FIELD]),
        named: false,
        result: Type::Number,
        usage: "field(series, field)",
    },
    Signature {
        name: "distinct",
        params: Params::Fixed(&[SERIES, DURATION, FIELD]),
        named: true,
        result: Type::Number,
        usage: "distinct(series, duration, field)",
    },
    Signature {
        name: "count",
        params: Params::Fixed(&[SERIES, DURATION]),
        named: false,
        result: Type::Number,
        usage: "count(series, duration)",
    },
];
