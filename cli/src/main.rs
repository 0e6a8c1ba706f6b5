//! `stratus`: the AWS command line, generated from the same models as the Stratus clients.
//!
//! ```text
//! stratus [global options] <service> <operation> [--member value ...]
//! stratus lambda list-functions --query 'Functions[].FunctionName'
//! stratus sts get-caller-identity --output json
//! ```
//!
//! Each service's operations, their options and types come from generated tables
//! (`services/`); this file and its siblings interpret them: arguments to JSON
//! ([`args`]), the call, pagination, `--query`, and the output.

mod args;
mod help;
mod output;
mod services;
mod shorthand;
mod table;

use args::{BinaryFormat, Given};
use serde_json::{Map, Value};
use std::process::ExitCode;
use table::{CallError, Op, Service};

/// The AWS CLI's exit codes.
mod exit {
    pub const OK: u8 = 0;
    /// Bad parameters or usage.
    pub const PARAM: u8 = 252;
    /// Configuration: no region, no credentials.
    pub const CONFIG: u8 = 253;
    /// The service answered with an error.
    pub const SERVICE: u8 = 254;
    /// Anything else.
    pub const OTHER: u8 = 255;
}

/// A failure, with the exit code it maps to.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn param(message: impl Into<String>) -> Self {
        Failure { code: exit::PARAM, message: message.into() }
    }
}

/// The global options.
#[derive(Default)]
struct Globals {
    profile: Option<String>,
    region: Option<String>,
    endpoint_url: Option<String>,
    output: Option<String>,
    query: Option<String>,
    no_paginate: bool,
    max_items: Option<usize>,
    starting_token: Option<String>,
    page_size: Option<i64>,
    cli_input_json: Option<String>,
    skeleton: Option<String>,
    binary_format: Option<String>,
}

const USAGE: &str = "usage: stratus [options] <command> <subcommand> [<subcommand> ...] [parameters]\n\
To see help text, you can run:\n\n  stratus help\n  stratus <command> help\n  stratus <command> <subcommand> help";

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::from(exit::OTHER);
        }
    };
    match runtime.block_on(run(argv)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("{}", f.message);
            }
            ExitCode::from(f.code)
        }
    }
}

/// Splits the arguments into positionals and options (`--name word...`).
fn split(argv: Vec<String>) -> (Vec<String>, Vec<Given>) {
    let mut positional = Vec::new();
    let mut given: Vec<Given> = Vec::new();
    for a in argv {
        if let Some(name) = a.strip_prefix("--") {
            let (name, inline) = match name.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (name.to_string(), None),
            };
            given.push(Given { name, values: inline.into_iter().collect() });
        } else if let Some(last) = given.last_mut().filter(|_| true) {
            last.values.push(a);
        } else {
            positional.push(a);
        }
    }
    (positional, given)
}

/// Takes the global options out of `given`.
fn globals(given: &mut Vec<Given>) -> Result<Globals, Failure> {
    let mut g = Globals::default();
    let mut rest = Vec::new();
    for opt in given.drain(..) {
        let one = |o: &Given| -> Result<String, Failure> {
            match o.values.as_slice() {
                [v] => Ok(v.clone()),
                _ => Err(Failure::param(format!(
                    "{USAGE}\n\nstratus: error: argument --{}: expected one argument",
                    o.name
                ))),
            }
        };
        match opt.name.as_str() {
            "profile" => g.profile = Some(one(&opt)?),
            "region" => g.region = Some(one(&opt)?),
            "endpoint-url" => g.endpoint_url = Some(one(&opt)?),
            "output" => g.output = Some(one(&opt)?),
            "query" => g.query = Some(one(&opt)?),
            "no-paginate" => g.no_paginate = true,
            "max-items" => {
                g.max_items =
                    Some(one(&opt)?.parse().map_err(|_| Failure::param("argument --max-items: invalid int value"))?)
            }
            "starting-token" => g.starting_token = Some(one(&opt)?),
            "page-size" => {
                g.page_size =
                    Some(one(&opt)?.parse().map_err(|_| Failure::param("argument --page-size: invalid int value"))?)
            }
            "cli-input-json" => g.cli_input_json = Some(one(&opt)?),
            "generate-cli-skeleton" => {
                g.skeleton = Some(opt.values.first().cloned().unwrap_or_else(|| "input".to_string()))
            }
            "cli-binary-format" => g.binary_format = Some(one(&opt)?),
            _ => rest.push(opt),
        }
    }
    *given = rest;
    Ok(g)
}

async fn run(argv: Vec<String>) -> Result<(), Failure> {
    let (mut positional, mut given) = split(argv);
    // A positional after an option that takes no value (`--no-paginate lambda ...`) was taken as
    // that option's value: give it back.
    for g in given.iter_mut() {
        if g.name == "no-paginate" || g.name == "debug" {
            positional.append(&mut g.values);
        }
    }
    let g = globals(&mut given)?;
    match positional.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["help"] => {
            print!("{}", help::top(services::SERVICES));
            return Ok(());
        }
        [name, "help"] => {
            let s = services::SERVICES.iter().find(|s| s.name == *name).ok_or_else(|| {
                Failure::param(format!("{USAGE}\n\nstratus: error: argument command: Invalid choice: '{name}'"))
            })?;
            print!("{}", help::service(s));
            return Ok(());
        }
        [name, op, "help"] => {
            let s = services::SERVICES.iter().find(|s| s.name == *name).ok_or_else(|| {
                Failure::param(format!("{USAGE}\n\nstratus: error: argument command: Invalid choice: '{name}'"))
            })?;
            let o = s.ops.iter().find(|o| o.cli == *op).ok_or_else(|| {
                Failure::param(format!("{USAGE}\n\nstratus: error: argument operation: Invalid choice: '{op}'"))
            })?;
            print!("{}", help::operation(s, o));
            return Ok(());
        }
        _ => {}
    }
    let [service_name, op_name, ..] = positional.as_slice() else {
        let known: Vec<&str> = services::SERVICES.iter().map(|s| s.name).collect();
        return Err(Failure::param(format!(
            "{USAGE}\n\nstratus: error: the following arguments are required: command, subcommand\n\nservices: {}",
            known.join(", ")
        )));
    };
    let Some(service) = services::SERVICES.iter().find(|s| s.name == service_name) else {
        return Err(Failure::param(format!(
            "{USAGE}\n\nstratus: error: argument command: Invalid choice: '{service_name}'"
        )));
    };
    let Some(op) = service.ops.iter().find(|o| o.cli == op_name) else {
        return Err(Failure::param(format!(
            "{USAGE}\n\nstratus: error: argument operation: Invalid choice: '{op_name}'"
        )));
    };
    if let Some(kind) = &g.skeleton {
        let members = match kind.as_str() {
            "input" => op.input,
            "output" => op.output,
            other => {
                return Err(Failure::param(format!("argument --generate-cli-skeleton: invalid choice: '{other}'")))
            }
        };
        println!("{}", output::json(&args::skeleton(service, members)));
        return Ok(());
    }
    if !op.supported {
        return Err(Failure {
            code: exit::OTHER,
            message: format!("{} {} uses an event stream, which stratus cannot run yet", service.name, op.cli),
        });
    }
    let format = match g.binary_format.as_deref() {
        None | Some("raw-in-base64-out") => BinaryFormat::Raw,
        Some("base64") => BinaryFormat::Base64,
        Some(other) => return Err(Failure::param(format!("argument --cli-binary-format: invalid choice: '{other}'"))),
    };
    let output_format = g.output.clone().unwrap_or_else(|| "json".into());
    if output_format != "json" {
        return Err(Failure::param(format!("--output {output_format} is not supported yet (json only)")));
    }
    // The input: --cli-input-json first, options over it.
    let mut input = Map::new();
    if let Some(text) = &g.cli_input_json {
        let text = match text.strip_prefix("file://") {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| Failure::param(format!("Unable to load paramfile {text}: {e}")))?,
            None => text.clone(),
        };
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| Failure::param(format!("Error parsing parameter 'cli-input-json': Invalid JSON: {e}")))?;
        let Value::Object(map) = v else { return Err(Failure::param("Invalid JSON received for --cli-input-json")) };
        for (k, v) in map {
            let Some(m) = op.input.iter().find(|m| m.key == k) else {
                let valid: Vec<&str> = op.input.iter().map(|m| m.key).collect();
                return Err(Failure::param(format!(
                    "Parameter validation failed:\nUnknown parameter in input: \"{k}\", must be one of: {}",
                    valid.join(", ")
                )));
            };
            input.insert(k.clone(), args::coerce(service, v, m.shape, &k, format).map_err(Failure::param)?);
        }
    }
    input.extend(
        args::input(service, op.input, &given, format)
            .map_err(|e| Failure::param(format!("{USAGE}\n\nstratus: error: {e}")))?,
    );
    let missing: Vec<String> =
        op.input.iter().filter(|m| m.required && !input.contains_key(m.key)).map(|m| format!("--{}", m.cli)).collect();
    if !missing.is_empty() {
        return Err(Failure::param(format!(
            "{USAGE}\n\nstratus: error: the following arguments are required: {}",
            missing.join(", ")
        )));
    }
    let config = load_config(&g).await?;
    let result = match (&op.paginator, g.no_paginate) {
        (Some(p), false) => paginate(service, op, p, &config, input, &g).await?,
        (Some(p), true) => {
            if let (Some(limit), Some(size)) = (p.limit, g.page_size.or(g.max_items.map(|m| m as i64))) {
                input.insert(limit.to_string(), Value::from(size));
            }
            call(service, op, &config, &Value::Object(input)).await?
        }
        (None, _) => call(service, op, &config, &Value::Object(input)).await?,
    };
    let result = output::timestamps(service, op.output, result);
    let shown = match &g.query {
        Some(q) => {
            let expr =
                stratus_jmespath::compile(q).map_err(|e| Failure::param(format!("Bad value for --query {q}: {e}")))?;
            expr.search(&result).map_err(|e| Failure::param(format!("Bad value for --query {q}: {e}")))?
        }
        None => result,
    };
    // The AWS CLI prints nothing for an empty output (and `null` results of a query as `null`).
    if g.query.is_some() || !matches!(&shown, Value::Object(m) if m.is_empty()) {
        println!("{}", output::json(&shown));
    }
    Ok(())
}

/// The configuration, as the AWS CLI builds it: the environment and shared files, with the global
/// options over them.
async fn load_config(g: &Globals) -> Result<stratus_runtime::Config, Failure> {
    let mut vars: Vec<(String, String)> =
        std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect();
    let mut set = |k: &str, v: &str| {
        vars.retain(|(name, _)| name != k);
        vars.push((k.to_string(), v.to_string()));
    };
    if let Some(p) = &g.profile {
        set("AWS_PROFILE", p);
    }
    if let Some(r) = &g.region {
        set("AWS_REGION", r);
    }
    if let Some(u) = &g.endpoint_url {
        set("AWS_ENDPOINT_URL", u);
        vars.retain(|(name, _)| !name.starts_with("AWS_ENDPOINT_URL_"));
    }
    let env = stratus_runtime::env::Env::from_vars(vars);
    let config = stratus_config::Loader::new()
        .env(env)
        .load()
        .await
        .map_err(|e| Failure { code: exit::CONFIG, message: e.to_string() })?;
    if config.region().is_none() {
        return Err(Failure {
            code: exit::CONFIG,
            message: "You must specify a region. You can also configure your region by running \"aws configure\"."
                .into(),
        });
    }
    Ok(config)
}

/// One call, its failure mapped to the AWS CLI's exit codes and messages.
async fn call(service: &Service, op: &Op, config: &stratus_runtime::Config, input: &Value) -> Result<Value, Failure> {
    services::call(service.name, config, op.name, input).await.map_err(|e| match e {
        CallError::Param(m) => Failure::param(format!("\nParameter validation failed:\n{m}")),
        CallError::Unsupported(m) => Failure { code: exit::OTHER, message: format!("not supported: {m}") },
        CallError::Service(e) if e.is_validation() => Failure::param(format!("\nParameter validation failed:\n{e}")),
        CallError::Service(e) if e.is_config() => Failure { code: exit::CONFIG, message: e.to_string() },
        CallError::Service(e) => match e.code() {
            Some(code) => Failure {
                code: exit::SERVICE,
                message: format!(
                    "\nAn error occurred ({code}) when calling the {} operation: {}",
                    e.operation(),
                    e.message().unwrap_or_default()
                ),
            },
            None => Failure { code: exit::OTHER, message: format!("\n{e}") },
        },
    })
}

/// Pages through an operation as botocore's paginator and `build_full_result` do: results of every
/// page merged, the non-aggregate members of the first page, output tokens left out; `--max-items`
/// stops after that many results of the first result key and adds a `NextToken` to resume from,
/// which `--starting-token` reads back.
async fn paginate(
    service: &Service,
    op: &Op,
    p: &table::Paginator,
    config: &stratus_runtime::Config,
    mut input: Map<String, Value>,
    g: &Globals,
) -> Result<Value, Failure> {
    let compile = |e: &str| {
        stratus_jmespath::compile(e).map_err(|e| Failure { code: exit::OTHER, message: format!("paginator: {e}") })
    };
    let token_exprs: Vec<_> = p.output_tokens.iter().map(|e| compile(e)).collect::<Result<_, _>>()?;
    let result_exprs: Vec<_> = p.results.iter().map(|e| compile(e)).collect::<Result<_, _>>()?;
    let non_aggregate: Vec<_> = p.non_aggregate.iter().map(|e| compile(e)).collect::<Result<_, _>>()?;
    if let (Some(limit), Some(size)) = (p.limit, g.page_size) {
        input.insert(limit.to_string(), Value::from(size));
    }
    let mut next_token: Vec<Value> = vec![Value::Null; p.input_tokens.len()];
    let mut skip = 0usize;
    if let Some(token) = &g.starting_token {
        let (tokens, truncate) = output::decode_token(token, p.input_tokens).map_err(Failure::param)?;
        for (k, v) in tokens {
            if let Some(i) = p.input_tokens.iter().position(|t| *t == k) {
                next_token[i] = v.clone();
            }
            input.insert(k, v);
        }
        skip = truncate;
    }
    let mut complete = Map::new();
    let mut resume: Option<String> = None;
    let mut total = 0usize;
    let mut first = true;
    loop {
        let mut page = call(service, op, config, &Value::Object(input.clone())).await?;
        let starting_truncation = if first { skip } else { 0 };
        if first {
            if skip > 0 {
                for r in p.results {
                    output::truncate_page(&mut page, r, usize::MAX, skip);
                }
            }
            for (key, expr) in p.non_aggregate.iter().zip(&non_aggregate) {
                let v = expr.search(&page).unwrap_or(Value::Null);
                output::set_path(&mut complete, key, v);
            }
            first = false;
        }
        let primary = result_exprs.first().and_then(|e| e.search(&page).ok());
        let n = primary.as_ref().and_then(Value::as_array).map_or(0, Vec::len);
        let truncate_amount = g.max_items.map_or(0, |m| (total + n).saturating_sub(m));
        if truncate_amount > 0 {
            let keep = n - truncate_amount;
            if let Some(r) = p.results.first() {
                output::truncate_page(&mut page, r, keep, 0);
            }
            merge(&mut complete, &page, p.results, &result_exprs);
            resume = Some(output::encode_token(p.input_tokens, &next_token, Some(keep + starting_truncation)));
            break;
        }
        merge(&mut complete, &page, p.results, &result_exprs);
        total += n;
        next_token = token_exprs
            .iter()
            .map(|e| match e.search(&page) {
                Ok(v) if !(v.is_null() || v == "" || v == Value::Bool(false)) => v,
                _ => Value::Null,
            })
            .collect();
        if next_token.iter().all(Value::is_null) {
            break;
        }
        if g.max_items == Some(total) {
            resume = Some(output::encode_token(p.input_tokens, &next_token, None));
            break;
        }
        for (k, t) in p.input_tokens.iter().zip(&next_token) {
            match t {
                Value::Null => input.remove(*k),
                t => input.insert(k.to_string(), t.clone()),
            };
        }
    }
    if let Some(token) = resume {
        complete.insert("NextToken".into(), Value::String(token));
    }
    Ok(Value::Object(complete))
}

fn merge(complete: &mut Map<String, Value>, page: &Value, paths: &[&str], exprs: &[stratus_jmespath::Expression]) {
    for (path, expr) in paths.iter().zip(exprs) {
        let v = expr.search(page).unwrap_or(Value::Null);
        if !v.is_null() {
            output::merge_path(complete, path, v);
        }
    }
}
