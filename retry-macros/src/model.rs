//! The typed model of `#[retry(…)]`. `parse` fills an [`Attr`] as far as the
//! input allows; `validate` turns it into a complete [`Plan`].

use proc_macro2::Span;
use syn::{Expr, Ident, Pat, Path};

/// `n = …`.
#[derive(Clone)]
pub(crate) enum Count {
    Lit(u32),
    Expr(Expr),
}

/// A duration: a literal checked at compile time, or any expression.
#[derive(Clone)]
pub(crate) enum Dur {
    Lit {
        nanos: u128,
        text: String,
        span: Span,
    },
    Expr(Expr),
}

/// `factor = …`.
#[derive(Clone)]
pub(crate) enum Factor {
    Lit { value: f64, span: Span },
    Expr(Expr),
}

/// The schedule's form, as far as it parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Constant,
    Exponential,
    Fibonacci,
}

impl Form {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Form::Constant => "constant",
            Form::Exponential => "exponential",
            Form::Fibonacci => "fibonacci",
        }
    }

    /// The arguments this form accepts.
    pub(crate) fn arguments(self) -> &'static [&'static str] {
        match self {
            Form::Constant => &["n", "delay"],
            Form::Exponential => &["n", "initial", "max", "factor"],
            Form::Fibonacci => &["n", "initial", "max"],
        }
    }

    /// The name of its first-pause argument.
    pub(crate) fn first_pause(self) -> &'static str {
        match self {
            Form::Constant => "delay",
            Form::Exponential | Form::Fibonacci => "initial",
        }
    }
}

/// A built-in schedule as written (each argument optional until validated).
#[derive(Clone)]
pub(crate) struct Builtin {
    pub(crate) form: Form,
    pub(crate) name: Ident,
    pub(crate) n: Option<Count>,
    pub(crate) first: Option<Dur>,
    pub(crate) max: Option<Dur>,
    pub(crate) factor: Option<Factor>,
    /// Arguments the user wrote (or, for a typo, meant) whose value did not
    /// parse: already reported, so not "missing" too.
    pub(crate) meant: Vec<String>,
}

// One per attribute, never moved in bulk: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum Schedule {
    Builtin(Builtin),
    Custom(Expr),
}

#[derive(Clone)]
pub(crate) enum ClassifierKind {
    Blacklist(Vec<Pat>),
    Whitelist(Vec<Pat>),
    RetryIf(Expr),
}

#[derive(Clone)]
pub(crate) struct Classifier {
    pub(crate) key: Ident,
    pub(crate) kind: ClassifierKind,
}

#[derive(Clone)]
pub(crate) enum JitterKind {
    Factor(f64),
    Full,
    Equal,
    Decorrelated,
    /// Any expression of type `reattempt::Jitter` (a `const`, `Jitter::Factor(x)`).
    Expr(Expr),
}

#[derive(Clone)]
pub(crate) struct JitterOpt {
    pub(crate) kind: JitterKind,
    pub(crate) span: Span,
}

/// Everything the attribute said, as far as it parsed. Every field is set at
/// most once; `parse` reports repeats.
#[derive(Default)]
pub(crate) struct Attr {
    pub(crate) schedule: Option<Schedule>,
    pub(crate) classifier: Option<Classifier>,
    pub(crate) jitter: Option<JitterOpt>,
    pub(crate) forever: Option<Span>,
    pub(crate) timeout: Option<Dur>,
    pub(crate) attempt_timeout: Option<(Ident, Dur)>,
    pub(crate) attempt: Option<Ident>,
    pub(crate) on_retry: Option<Expr>,
    pub(crate) retry_after: Option<Expr>,
    pub(crate) retry_ok: Option<Expr>,
    pub(crate) budget: Option<Expr>,
    pub(crate) sleep: Option<Expr>,
    pub(crate) krate: Option<Path>,
    /// Options the user wrote (or, for a typo, meant) that did not parse or
    /// were misplaced: already reported, so `validate` does not call them
    /// missing too.
    pub(crate) meant: Vec<String>,
}

/// A complete schedule (validated).
#[allow(clippy::large_enum_variant)]
pub(crate) enum PlanSchedule {
    Builtin {
        form: Form,
        n: Count,
        first: Dur,
        max: Option<Dur>,
        factor: Option<Factor>,
    },
    Custom(Expr),
}

/// A validated attribute: everything `expand` needs, nothing optional that
/// must be there.
pub(crate) struct Plan {
    pub(crate) schedule: PlanSchedule,
    pub(crate) classifier: Option<ClassifierKind>,
    pub(crate) jitter: Option<JitterKind>,
    pub(crate) forever: bool,
    pub(crate) timeout: Option<Dur>,
    pub(crate) attempt_timeout: Option<Dur>,
    pub(crate) attempt: Option<Ident>,
    pub(crate) on_retry: Option<Expr>,
    pub(crate) retry_after: Option<Expr>,
    pub(crate) retry_ok: Option<Expr>,
    pub(crate) budget: Option<Expr>,
    pub(crate) sleep: Option<Expr>,
    pub(crate) krate: Path,
    pub(crate) is_async: bool,
}
