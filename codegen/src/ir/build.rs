//! Builds the IR from a loaded model in one pass: ids first, then items, operations, the
//! validation plan, paginators and waiters, each reading only what is already final.

use super::names::{field_name, type_name, unique, variant_name, BUILDER_METHODS, UNKNOWN_VARIANT};
use super::validate;
use super::waiter;
use super::*;
use crate::docs::html_to_markdown;
use crate::model::{self, Location, Service, ServiceModel, Shape, ShapeType};
use indexmap::{IndexMap, IndexSet};
use std::collections::HashSet;

/// The optional files of a model beside `service-2.json`, with the names used in error messages.
#[derive(Default)]
struct Extras<'a> {
    examples: Option<&'a model::Examples>,
    paginators: Option<(&'a model::Paginators, String)>,
    waiters: Option<(&'a model::Waiters, String)>,
    endpoint_rules: Option<&'a str>,
}

/// Builds the IR of a loaded model (all of its files).
pub fn build(model: &ServiceModel) -> Result<Ir, IrError> {
    let file = |name: &str| model.dir.join(name).display().to_string();
    let extras = Extras {
        examples: Some(&model.examples),
        paginators: Some((&model.paginators, file("paginators-1.json"))),
        waiters: Some((&model.waiters, file("waiters-2.json"))),
        endpoint_rules: model.endpoint_rules_json.as_deref(),
    };
    build_ir(&model.service, &file("service-2.json"), extras)
}

/// Builds the IR of a service description alone (`file` is used in error messages): no examples,
/// paginators or waiters, and the generic endpoint rules.
pub fn build_service(service: &Service, file: &str) -> Result<Ir, IrError> {
    build_ir(service, file, Extras::default())
}

fn build_ir(service: &Service, file: &str, extras: Extras) -> Result<Ir, IrError> {
    let normalized = split_shared_inputs(service);
    let service = normalized.as_ref().unwrap_or(service);
    let shapes = &service.shapes;
    let meta = &service.metadata;
    let unsupported =
        |what: String| IrError { file: file.to_string(), path: "metadata.protocol".into(), message: what };
    let protocol = match meta.wire_protocol() {
        model::Protocol::RestJson => Protocol::RestJson,
        model::Protocol::Json => Protocol::AwsJson {
            version: meta.json_version.clone().unwrap_or_else(|| "1.0".into()),
            target_prefix: meta
                .target_prefix
                .clone()
                .ok_or_else(|| unsupported("a `json` service needs `metadata.targetPrefix`".into()))?,
            query_compatible: meta.aws_query_compatible.is_some(),
        },
        model::Protocol::Query => Protocol::Query { version: meta.api_version.clone() },
        model::Protocol::Ec2 => Protocol::Ec2 { version: meta.api_version.clone() },
        model::Protocol::RestXml => Protocol::RestXml,
        model::Protocol::SmithyRpcV2Cbor => Protocol::RpcV2Cbor {
            service: meta
                .target_prefix
                .clone()
                .ok_or_else(|| unsupported("a `smithy-rpc-v2-cbor` service needs `metadata.targetPrefix`".into()))?,
            query_compatible: meta.aws_query_compatible.is_some(),
        },
    };
    let rpc = matches!(
        protocol,
        Protocol::AwsJson { .. } | Protocol::Query { .. } | Protocol::Ec2 { .. } | Protocol::RpcV2Cbor { .. }
    );

    // How shapes are used.
    let mut roles: IndexMap<&str, Roles> = IndexMap::new();
    let mut input_of: IndexMap<&str, Vec<&str>> = IndexMap::new();
    let mut output_of: IndexMap<&str, Vec<&str>> = IndexMap::new();
    for (name, op) in &service.operations {
        if let Some(r) = &op.input {
            roles.entry(&r.shape).or_default().input = true;
            input_of.entry(&r.shape).or_default().push(name);
        }
        if let Some(r) = &op.output {
            roles.entry(&r.shape).or_default().output = true;
            output_of.entry(&r.shape).or_default().push(name);
        }
        for e in &op.errors {
            roles.entry(&e.shape).or_default().error = true;
        }
    }
    for (name, shape) in shapes {
        if shape.error.is_some() || shape.exception {
            roles.entry(name).or_default().error = true;
        }
        for target in member_targets(shape) {
            roles.entry(target).or_default().nested = true;
        }
    }

    // Name every shape that becomes an item. Inputs and outputs used by exactly one operation and
    // nowhere else are named after the operation (`GetFunctionInput`), as users look them up by
    // operation; those names are given first.
    let mut taken = HashSet::new();
    let mut names: IndexMap<&str, String> = IndexMap::new();
    let mut op_named: Vec<(&str, String)> = Vec::new();
    for (name, shape) in shapes {
        if !is_item(shape) {
            continue;
        }
        let r = roles.get(name.as_str()).copied().unwrap_or_default();
        let only_input = r.input && !r.output && !r.error && !r.nested && input_of[name.as_str()].len() == 1;
        let only_output = r.output && !r.input && !r.error && !r.nested && output_of[name.as_str()].len() == 1;
        if only_input {
            op_named.push((name, format!("{}Input", type_name(input_of[name.as_str()][0]))));
        } else if only_output {
            op_named.push((name, format!("{}Output", type_name(output_of[name.as_str()][0]))));
        } else {
            names.insert(name, String::new());
        }
    }
    for (shape, wanted) in op_named {
        let n = unique(wanted, &mut taken);
        names.insert(shape, n);
    }
    let shape_order: Vec<&str> = names.keys().copied().collect();
    for shape in shape_order {
        if names[shape].is_empty() {
            let n = unique(type_name(shape), &mut taken);
            names.insert(shape, n);
        }
    }
    // An operation without input still gets an input type: it carries the operation.
    let synthetic: Vec<(&str, String)> = service
        .operations
        .iter()
        .filter(|(_, op)| op.input.is_none())
        .map(|(name, _)| (name.as_str(), unique(format!("{}Input", type_name(name)), &mut taken)))
        .collect();

    // Crate-wide items that share the types' namespace (both are glob-imported with them): the
    // builder of every structure sent in requests, and the enum of the service's errors.
    let builder_type = unique("Builder".into(), &mut taken);
    let error_type = unique("ServiceError".into(), &mut taken);
    // Structures sent in requests get setters on the builder: operation inputs and what they hold.
    let mut requested: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> =
        service.operations.values().filter_map(|op| Some(op.input.as_ref()?.shape.as_str())).collect();
    while let Some(name) = stack.pop() {
        if requested.insert(name) {
            stack.extend(shapes.get(name).into_iter().flat_map(member_targets));
        }
    }

    // Ids: the items in model order, then the synthetic inputs.
    let ids: IndexMap<&str, TypeId> = shapes
        .keys()
        .filter(|s| names.contains_key(s.as_str()))
        .enumerate()
        .map(|(i, s)| (s.as_str(), TypeId(i)))
        .collect();
    let synthetic_ids: IndexMap<&str, TypeId> =
        synthetic.iter().enumerate().map(|(i, (op, _))| (*op, TypeId(ids.len() + i))).collect();
    let op_ids: IndexMap<&str, OpId> =
        service.operations.keys().enumerate().map(|(i, n)| (n.as_str(), OpId(i))).collect();
    let ops_of = |list: Option<&Vec<&str>>| -> Vec<OpId> {
        list.map(|l| l.iter().filter_map(|o| op_ids.get(o).copied()).collect()).unwrap_or_default()
    };

    // The Rust type of every shape.
    let shape_types: IndexMap<String, RustType> =
        shapes.keys().map(|name| (name.clone(), rust_type(shapes, &ids, name))).collect();

    let boxed_edges = recursive_edges(service);
    // Event streams the client sends: those of operation inputs' members.
    let sent: HashSet<&str> = service
        .operations
        .values()
        .filter_map(|op| shapes.get(op.input.as_ref()?.shape.as_str()))
        .flat_map(|input| input.members.values())
        .filter(|m| shapes.get(&m.shape).is_some_and(|t| t.eventstream))
        .map(|m| m.shape.as_str())
        .collect();
    let members = MemberContext { service, shape_types: &shape_types, boxed_edges: &boxed_edges, sent: &sent, rpc };
    let mut types = Vec::with_capacity(ids.len() + synthetic.len());
    for (shape_name, shape) in shapes {
        let Some(rust_name) = names.get(shape_name.as_str()) else { continue };
        let docs = html_to_markdown(shape.documentation.as_deref().unwrap_or_default());
        let deprecated = deprecation(shape.deprecated, shape.deprecated_message.as_deref());
        let r = roles.get(shape_name.as_str()).copied().unwrap_or_default();
        if shape.kind == ShapeType::String {
            let mut used = HashSet::from([UNKNOWN_VARIANT.to_string()]);
            let variants = shape
                .enum_values
                .iter()
                .map(|v| Variant { name: unique(variant_name(v), &mut used), value: v.clone() })
                .collect();
            let docs = or_default_doc(docs, || format!("Known values of `{shape_name}`."));
            types.push(TypeDef::Enum(EnumDef {
                shape: shape_name.clone(),
                name: rust_name.clone(),
                docs,
                variants,
                deprecated,
            }));
            continue;
        }
        let variants = shape.union || shape.eventstream;
        let mut fields = fields(&members, shape_name, shape, variants, requested.contains(shape_name.as_str()));
        if variants {
            let docs = or_default_doc(docs, || format!("One of the members of `{shape_name}`."));
            types.push(TypeDef::Union(UnionDef {
                shape: shape_name.clone(),
                name: rust_name.clone(),
                docs,
                variants: fields,
                event_stream: shape.eventstream,
                sent: sent.contains(shape_name.as_str()),
                encoded: false,
                decoded: false,
                sensitive: shape.sensitive,
            }));
            continue;
        }
        let docs = or_default_doc(docs, || {
            if r.input && !r.nested {
                format!("Input of the `{}` operation.", input_of[shape_name.as_str()].join("`, `"))
            } else if r.output && !r.nested {
                format!("Output of the `{}` operation.", output_of[shape_name.as_str()].join("`, `"))
            } else {
                format!("The `{shape_name}` structure.")
            }
        });
        let error = (r.error).then(|| ErrorInfo {
            code: shape.error.as_ref().and_then(|e| e.code.clone()).unwrap_or_else(|| shape_name.clone()),
            alt_code: shape
                .error
                .as_ref()
                .and_then(|e| e.code.as_ref())
                .filter(|code| *code != shape_name && meta.aws_query_compatible.is_some())
                .map(|_| shape_name.clone()),
            status: shape.error.as_ref().and_then(|e| e.http_status_code),
            fault: shape.fault,
            retryable: shape.retryable.is_some(),
            throttling: shape.retryable.as_ref().is_some_and(|r| r.throttling),
        });
        let rename_all = json_naming(&mut fields);
        types.push(TypeDef::Struct(StructDef {
            shape: shape_name.clone(),
            builder: requested.contains(shape_name.as_str()),
            name: rust_name.clone(),
            docs,
            fields,
            roles: r,
            sensitive: shape.sensitive,
            deprecated,
            error,
            event: shape.event,
            input_of: ops_of(input_of.get(shape_name.as_str())),
            output_of: ops_of(output_of.get(shape_name.as_str())),
            validated: false,
            rename_all,
            encoded: false,
            decoded: false,
        }));
    }
    for (op, rust_name) in &synthetic {
        types.push(TypeDef::Struct(StructDef {
            shape: String::new(),
            builder: true,
            name: rust_name.clone(),
            docs: format!("Input of the `{op}` operation (it takes no parameters)."),
            fields: Vec::new(),
            roles: Roles { input: true, ..Roles::default() },
            sensitive: false,
            deprecated: None,
            error: None,
            event: false,
            input_of: ops_of(Some(&vec![*op])),
            output_of: Vec::new(),
            validated: false,
            rename_all: None,
            encoded: false,
            decoded: false,
        }));
    }
    if protocol == Protocol::RestXml {
        // A response has no URI or query string: members of outputs bound there are read from
        // the body, as botocore's rest-xml parser reads them.
        for t in &mut types {
            if let TypeDef::Struct(s) = t {
                if s.roles.output && !s.roles.input {
                    for f in &mut s.fields {
                        if matches!(f.binding, Binding::Label | Binding::Query) {
                            f.binding = Binding::Body;
                        }
                    }
                }
            }
        }
    }
    validate::plan(&mut types);

    let mut methods = HashSet::new();
    let mut operations = Vec::with_capacity(service.operations.len());
    for (name, op) in &service.operations {
        // A model may list one error twice (appsync's CreateApiKey): it is one variant.
        let errors: IndexSet<TypeId> = op.errors.iter().filter_map(|e| ids.get(e.shape.as_str()).copied()).collect();
        // Error enums live in `error`, types in `types`; both are glob-imported together, so an
        // error enum must not take a type's name.
        let wanted = format!("{name}Error");
        let error_enum = if taken.contains(&wanted) {
            unique(format!("{name}OperationError"), &mut taken)
        } else {
            taken.insert(wanted.clone());
            wanted
        };
        let method = unique(field_name(name), &mut methods);
        let input = match &op.input {
            Some(r) => ids.get(r.shape.as_str()).copied(),
            None => synthetic_ids.get(name.as_str()).copied(),
        };
        let input = input.ok_or_else(|| IrError {
            file: file.to_string(),
            path: format!("operations.{name}.input"),
            message: "the input shape is not a structure".into(),
        })?;
        let docs = html_to_markdown(op.documentation.as_deref().unwrap_or_default());
        operations.push(OperationIr {
            name: name.clone(),
            with_method: format!("{}_with", method.trim_start_matches("r#")),
            method,
            error_enum,
            deprecated: deprecation(op.deprecated, op.deprecated_message.as_deref()).map(|note| {
                if note.is_empty() {
                    // No message: the model's docs open with the advice (InvokeAsync: "use Invoke").
                    plain_first_sentence(&docs)
                } else {
                    note
                }
            }),
            docs: or_default_doc(docs, || format!("Calls the `{name}` operation.")),
            input,
            output: op.output.as_ref().and_then(|r| ids.get(r.shape.as_str()).copied()),
            errors: errors.into_iter().collect(),
            http_method: op.http.method.clone(),
            request_uri: op.http.request_uri.clone(),
            status: op.http.response_code.unwrap_or(200),
            host_prefix: op.endpoint.as_ref().map(|e| e.host_prefix.clone()),
            unsigned: op.authtype.as_deref() == Some("none")
                || (!op.auth.is_empty() && op.auth.iter().all(|a| a == "smithy.api#noAuth")),
            examples: extras
                .examples
                .and_then(|e| e.examples.get(name))
                .map(|list| list.iter().map(example).collect())
                .unwrap_or_default(),
            waiters: Vec::new(),
            // The model names the wrapper of an XML RPC output; when it does not (the protocol
            // suites), the protocol's convention is `<Operation>Result`.
            host_labels: op
                .input
                .as_ref()
                .and_then(|r| shapes.get(&r.shape))
                .map(|s| s.members.iter().filter(|(_, m)| m.host_label).map(|(name, _)| name.clone()).collect())
                .unwrap_or_default(),
            input_root: op.input.as_ref().map(|r| {
                let shape = shapes.get(&r.shape);
                let namespace = r.xml_namespace.as_ref().or(shape.and_then(|s| s.xml_namespace.as_ref()));
                (r.location_name.clone().unwrap_or_else(|| r.shape.clone()), namespace.and_then(namespace_attribute))
            }),
            result_wrapper: op
                .output
                .as_ref()
                .and_then(|o| o.result_wrapper.clone())
                .or_else(|| matches!(protocol, Protocol::Query { .. }).then(|| format!("{name}Result"))),
        });
    }
    if protocol.has_codecs() {
        let roots =
            |f: &dyn Fn(&OperationIr) -> Vec<TypeId>| -> Vec<TypeId> { operations.iter().flat_map(f).collect() };
        let inputs = roots(&|op| vec![op.input]);
        let outputs = roots(&|op| op.output.into_iter().chain(op.errors.iter().copied()).collect());
        for (roots, encoded) in [(inputs, true), (outputs, false)] {
            for id in reachable(&types, roots) {
                let (e, d) = match &mut types[id.0] {
                    TypeDef::Struct(s) => (&mut s.encoded, &mut s.decoded),
                    TypeDef::Union(u) => (&mut u.encoded, &mut u.decoded),
                    TypeDef::Enum(_) => continue,
                };
                if encoded {
                    *e = true;
                } else {
                    *d = true;
                }
            }
        }
    }

    let service_id = meta.service_id.clone().unwrap_or_else(|| meta.endpoint_prefix.clone().unwrap_or_default());
    let mut ir = Ir {
        service: ServiceInfo {
            full_name: meta.service_full_name.clone().unwrap_or_else(|| service_id.clone()),
            service_id,
            api_version: meta.api_version.clone(),
            protocol,
            signing_name: meta.signing_name.clone().or_else(|| meta.endpoint_prefix.clone()).unwrap_or_default(),
            endpoint_prefix: meta.endpoint_prefix.clone().unwrap_or_default(),
            docs: html_to_markdown(service.documentation.as_deref().unwrap_or_default()),
            builder: builder_type,
            error: error_type,
        },
        types,
        shape_types,
        operations,
        endpoint_rules: match extras.endpoint_rules {
            Some(rules) => rules.to_string(),
            None => default_rules(meta.endpoint_prefix.as_deref().unwrap_or("service")),
        },
        paginators: Vec::new(),
        waiters: Vec::new(),
    };
    if let Some((paginators, file)) = extras.paginators {
        for (op_name, p) in &paginators.pagination {
            let paginator = paginator(&ir, &op_ids, op_name, p).map_err(|message| IrError {
                file: file.clone(),
                path: format!("pagination.{op_name}"),
                message,
            })?;
            ir.paginators.push(paginator);
        }
    }
    if let Some((waiters, file)) = extras.waiters {
        for (name, w) in &waiters.waiters {
            let Some(&op) = op_ids.get(w.operation.as_str()) else {
                return Err(IrError {
                    file,
                    path: format!("waiters.{name}.operation"),
                    message: format!("waiter `{name}`: no operation `{}`", w.operation),
                });
            };
            let built = waiter::build(&ir, name, op, w).map_err(|(path, message)| IrError {
                file: file.clone(),
                path: format!("waiters.{name}{path}"),
                message: format!("waiter `{name}`: {message}"),
            })?;
            ir.operations[op.0].waiters.push(ir.waiters.len());
            ir.waiters.push(built);
        }
    }
    Ok(ir)
}

/// An example with its prose in Markdown.
fn example(ex: &model::Example) -> ExampleIr {
    let comments = ex.comments.as_ref();
    ExampleIr {
        title: html_to_markdown(ex.title.as_deref().unwrap_or("Example")),
        description: ex.description.as_deref().map(html_to_markdown),
        comments: comments
            .map(|c| {
                c.input
                    .iter()
                    .chain(c.output.iter())
                    .filter_map(|(member, text)| Some((member.clone(), html_to_markdown(text.as_str()?))))
                    .collect()
            })
            .unwrap_or_default(),
        input: ex.input.clone(),
        output: ex.output.clone(),
    }
}

/// A paginator, its fields resolved on the operation's input and output.
fn paginator(
    ir: &Ir,
    op_ids: &IndexMap<&str, OpId>,
    op_name: &str,
    p: &model::Paginator,
) -> Result<PaginatorIr, String> {
    let &op_id = op_ids.get(op_name).ok_or("no such operation")?;
    let op = ir.op(op_id);
    let field = |s: Option<TypeId>, member: &str| -> Result<Field, String> {
        s.and_then(|s| ir.structure(s))
            .and_then(|s| s.fields.iter().find(|f| f.member == member))
            .cloned()
            .ok_or_else(|| format!("member `{member}` not found"))
    };
    let names = |what: &str, keys: Option<&model::OneOrMany>| -> Result<Vec<String>, String> {
        match keys.map(model::OneOrMany::as_slice) {
            Some(list) if !list.is_empty() => Ok(list.to_vec()),
            _ => Err(format!("no {what}")),
        }
    };
    let input_tokens = names("input_token", p.input_token.as_ref())?
        .iter()
        .map(|name| {
            if name.contains(['.', '[', ' ', '|']) {
                return Err(format!("input_token `{name}` is not a member of the input"));
            }
            field(Some(op.input), name)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let output_names = names("output_token", p.output_token.as_ref())?;
    if output_names.len() != input_tokens.len() {
        return Err(format!("{} input tokens but {} output tokens", input_tokens.len(), output_names.len()));
    }
    // `A.B`, `A[-1].B`, and alternatives `X || Y`: botocore's token expressions.
    let mut output_tokens = Vec::new();
    for (text, input) in output_names.iter().zip(&input_tokens) {
        let mut alternatives = Vec::new();
        for alternative in text.split("||").map(str::trim) {
            let mut steps: Vec<TokenStep> = Vec::new();
            for part in alternative.split('.') {
                let (member, last) = match part.strip_suffix("[-1]") {
                    Some(m) => (m, true),
                    None => (part, false),
                };
                if member.is_empty() || member.contains(['[', ']', ' ', '(', '@']) {
                    return Err(format!("output_token `{text}`: `{part}` is not supported"));
                }
                let owner = match steps.last() {
                    None => op.output,
                    Some(TokenStep { field: Field { ty: RustType::Named(n), .. }, last: false }) => Some(*n),
                    Some(TokenStep { field: Field { ty: RustType::List(inner), .. }, last: true }) => match **inner {
                        RustType::Named(n) => Some(n),
                        _ => None,
                    },
                    Some(s) => return Err(format!("output_token `{text}`: `{}` holds no members", s.field.member)),
                };
                let f = field(owner, member)?;
                if last && !matches!(f.ty, RustType::List(_)) {
                    return Err(format!("output_token `{text}`: `{member}` is not a list"));
                }
                steps.push(TokenStep { field: f, last });
            }
            let end = steps.last().map(|s| match (&s.field.ty, s.last) {
                (RustType::List(inner), true) => (**inner).clone(),
                (ty, _) => ty.clone(),
            });
            if end.as_ref() != Some(&input.ty) {
                return Err(format!(
                    "output_token `{text}` does not have the type of the input token `{}`",
                    input.member
                ));
            }
            alternatives.push(steps);
        }
        output_tokens.push(alternatives);
    }
    let output_token_text = output_names.join("`, `");
    let keys = p.result_key.as_ref().map(model::OneOrMany::as_slice).unwrap_or_default();
    if keys.is_empty() {
        return Err("no result_key".into());
    }
    let mut results = Vec::new();
    for key in keys {
        if key.contains(['[', ' ', '|', '(']) {
            return Err(format!("result_key `{key}` is an expression; only member paths are supported"));
        }
        // `A.B.C`: each step a member of the structure the previous one holds.
        let mut path: Vec<Field> = Vec::new();
        for member in key.split('.') {
            let owner = match path.last() {
                None => op.output,
                Some(Field { ty: RustType::Named(n), .. }) => Some(*n),
                Some(f) => return Err(format!("result_key `{key}`: `{}` is not a structure", f.member)),
            };
            path.push(field(owner, member)?);
        }
        results.push(path);
    }
    let limit = match &p.limit_key {
        Some(k) => Some(field(Some(op.input), k)?),
        None => None,
    };
    // A result key that is not a collection (devops-guru's `InsightId` beside its log groups) is
    // a per-page value, not a source of items: it stays on the pages.
    results.retain(|path| path.last().is_some_and(|f| matches!(f.ty, RustType::List(_) | RustType::Map(..))));
    let kinds: Vec<PageItem> = results
        .iter()
        .filter_map(|path| path.last())
        .filter_map(|r| match &r.ty {
            RustType::List(inner) => Some(PageItem::Element((**inner).clone())),
            RustType::Map(k, v) => Some(PageItem::Entry((**k).clone(), (**v).clone())),
            _ => None,
        })
        .collect();
    // One kind of item: `items()` yields it; several kinds, or results that are not collections
    // (RDS's DownloadDBLogFilePortion pages through a string): pages only.
    let item = kinds.first().filter(|first| kinds.iter().all(|k| k == *first)).cloned();
    let non_aggregate_keys = p.non_aggregate_keys.clone();
    let result_keys = keys.to_vec();
    Ok(PaginatorIr {
        operation: op_id,
        input_tokens,
        output_tokens,
        output_token_text,
        results,
        limit,
        item,
        non_aggregate_keys,
        result_keys,
    })
}

/// serde's `rename_all` conversion of a snake_case field name.
fn serde_case(field: &str, case: RenameAll) -> String {
    let field = field.trim_start_matches("r#");
    let mut out = String::new();
    let mut upper = case == RenameAll::PascalCase;
    for ch in field.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.push(ch.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    if case == RenameAll::CamelCase {
        let mut chars = out.chars();
        return match chars.next() {
            Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
            None => out,
        };
    }
    out
}

/// Chooses the key convention that fits the most body members (camelCase on a tie) and marks the
/// members it does not fit.
fn json_naming(fields: &mut [Field]) -> Option<RenameAll> {
    let fits = |case: RenameAll| {
        fields.iter().filter(|f| f.binding.in_body() && serde_case(&f.name, case) == f.wire_name).count()
    };
    let case =
        [RenameAll::PascalCase, RenameAll::CamelCase].into_iter().filter(|c| fits(*c) > 0).max_by_key(|c| fits(*c));
    let mut keys = HashSet::new();
    for f in fields.iter_mut().filter(|f| f.binding.in_body()) {
        f.json_skip = !keys.insert(f.wire_name.clone());
        let fits = match case {
            Some(c) => serde_case(&f.name, c) == f.wire_name,
            None => f.name.trim_start_matches("r#") == f.wire_name,
        };
        f.json_rename = !fits;
    }
    case
}

/// Where a member travels.
fn binding(owner: &Shape, member_name: &str, m: &model::Member, target: Option<&Shape>, ty: &RustType) -> Binding {
    if owner.payload.as_deref() == Some(member_name) {
        let streaming = target.is_some_and(|t| t.streaming) || m.streaming;
        let is_enum = target.is_some_and(|t| t.kind == ShapeType::String);
        return Binding::Payload(match ty {
            RustType::Blob => PayloadKind::Blob { streaming },
            RustType::String => PayloadKind::Text,
            RustType::Named(_) if is_enum => PayloadKind::Text,
            RustType::EventStream(_) | RustType::EventSender(_) => PayloadKind::EventStream,
            _ => PayloadKind::Json,
        });
    }
    match m.location {
        Some(Location::Uri) => Binding::Label,
        Some(Location::Querystring) => Binding::Query,
        Some(Location::Header) if m.jsonvalue => Binding::HeaderJson,
        Some(Location::Header) => Binding::Header,
        Some(Location::Headers) => Binding::PrefixHeaders,
        Some(Location::StatusCode) => Binding::StatusCode,
        None if m.eventpayload => Binding::EventPayload,
        None if m.eventheader => Binding::EventHeader,
        None => Binding::Body,
    }
}

/// The structures and unions reachable from `roots` through members (lists and maps included).
fn reachable(types: &[TypeDef], roots: Vec<TypeId>) -> Vec<TypeId> {
    fn named(t: &RustType, out: &mut Vec<TypeId>) {
        match t {
            RustType::Named(id) => out.push(*id),
            RustType::List(e) | RustType::EventStream(e) | RustType::EventSender(e) => named(e, out),
            RustType::Map(k, v) => {
                named(k, out);
                named(v, out);
            }
            _ => {}
        }
    }
    let mut seen = vec![false; types.len()];
    let mut stack = roots;
    let mut out = Vec::new();
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.0], true) {
            continue;
        }
        out.push(id);
        let fields = match &types[id.0] {
            TypeDef::Struct(s) => &s.fields,
            TypeDef::Union(u) => &u.variants,
            TypeDef::Enum(_) => continue,
        };
        for f in fields {
            named(&f.ty, &mut stack);
        }
    }
    out
}

/// A member's XML and query layout, from the member and its list or map target, and the layout of
/// a list or map inside that one (a map of maps), as deep as collections nest.
fn xml_names(shapes: &IndexMap<String, Shape>, m: &model::Member, target: Option<&Shape>) -> XmlNames {
    xml_names_at(shapes, m, target, 0)
}

fn xml_names_at(shapes: &IndexMap<String, Shape>, m: &model::Member, target: Option<&Shape>, depth: usize) -> XmlNames {
    let name_of = |r: &Option<model::Member>| r.as_ref().and_then(|r| r.location_name.clone());
    let ns_of =
        |r: &Option<model::Member>| r.as_ref().and_then(|r| r.xml_namespace.as_ref()).and_then(namespace_attribute);
    // The list's member or the map's value, when it is itself a list or map. Collections can only
    // nest through a structure to be recursive, so the depth bound is never reached by a model
    // botocore accepts; it keeps a malformed one from recursing forever.
    let element = target.and_then(|t| match t.kind {
        ShapeType::List => t.member.as_ref(),
        ShapeType::Map => t.value.as_ref(),
        _ => None,
    });
    let inner = element.and_then(|e| {
        let inner_target = shapes.get(&e.shape).filter(|s| matches!(s.kind, ShapeType::List | ShapeType::Map))?;
        (depth < 16).then(|| Box::new(xml_names_at(shapes, e, Some(inner_target), depth + 1)))
    });
    XmlNames {
        inner,
        flattened: m.flattened || target.is_some_and(|t| t.flattened),
        member: target.and_then(|t| name_of(&t.member)),
        key: target.and_then(|t| name_of(&t.key)),
        value: target.and_then(|t| name_of(&t.value)),
        attribute: m.xml_attribute,
        member_namespace: target.and_then(|t| ns_of(&t.member)),
        key_namespace: target.and_then(|t| ns_of(&t.key)),
        value_namespace: target.and_then(|t| ns_of(&t.value)),
        namespace: m
            .xml_namespace
            .as_ref()
            .or(target.and_then(|t| t.xml_namespace.as_ref()))
            .and_then(namespace_attribute),
        ec2_name: m.query_name.clone().or_else(|| {
            m.location_name.as_ref().map(|n| {
                let mut c = n.chars();
                c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
            })
        }),
    }
}

/// An `xmlNamespace` trait (`{"uri": …, "prefix": …}` or a bare URI) as the attribute declaring it.
fn namespace_attribute(v: &serde_json::Value) -> Option<(String, String)> {
    let (uri, prefix) = match v {
        serde_json::Value::String(uri) => (uri.clone(), None),
        serde_json::Value::Object(o) => (o.get("uri")?.as_str()?.to_string(), o.get("prefix").and_then(|p| p.as_str())),
        _ => return None,
    };
    Some((prefix.map_or_else(|| "xmlns".to_string(), |p| format!("xmlns:{p}")), uri))
}

/// Where a member of an RPC protocol's structure travels: the body, but for event streams (a
/// JSON RPC output's stream member is the response body).
fn rpc_binding(_m: &model::Member, target: Option<&Shape>) -> Binding {
    if target.is_some_and(|t| t.eventstream) {
        Binding::Payload(PayloadKind::EventStream)
    } else {
        Binding::Body
    }
}

fn timestamp_format(f: model::TimestampFormat) -> TimestampFormat {
    match f {
        model::TimestampFormat::UnixTimestamp => TimestampFormat::EpochSeconds,
        model::TimestampFormat::Iso8601 => TimestampFormat::Iso8601,
        model::TimestampFormat::Rfc822 => TimestampFormat::HttpDate,
    }
}
/// The rule set of a model that has none: the configured endpoint if any, else
/// `https://{prefix}.{Region}.{dnsSuffix}` of the region's partition.
fn default_rules(endpoint_prefix: &str) -> String {
    format!(
        r#"{{"version":"1.0","parameters":{{"Region":{{"builtIn":"AWS::Region","required":false,"type":"String"}},"UseFIPS":{{"builtIn":"AWS::UseFIPS","required":true,"default":false,"type":"Boolean"}},"UseDualStack":{{"builtIn":"AWS::UseDualStack","required":true,"default":false,"type":"Boolean"}},"Endpoint":{{"builtIn":"SDK::Endpoint","required":false,"type":"String"}}}},"rules":[{{"conditions":[{{"fn":"isSet","argv":[{{"ref":"Endpoint"}}]}}],"endpoint":{{"url":{{"ref":"Endpoint"}}}},"type":"endpoint"}},{{"conditions":[{{"fn":"isSet","argv":[{{"ref":"Region"}}]}},{{"fn":"aws.partition","argv":[{{"ref":"Region"}}],"assign":"P"}}],"endpoint":{{"url":"https://{endpoint_prefix}.{{Region}}.{{P#dnsSuffix}}"}},"type":"endpoint"}},{{"conditions":[],"error":"Invalid Configuration: Missing Region","type":"error"}}]}}"#
    )
}

/// Gives every operation an input shape of its own. An input type implements its operation's
/// `Operation` trait, so two operations cannot share one: when several take the same shape
/// (rolesanywhere's `ScalarCrlRequest`), the first keeps it and each other gets a copy named after
/// it (`DisableCrlRequest`), the way smithy-rs gives each operation synthetic input shapes. The
/// result is `None` when nothing is shared.
fn split_shared_inputs(service: &Service) -> Option<Service> {
    let mut users: IndexMap<&str, Vec<&str>> = IndexMap::new();
    for (name, op) in &service.operations {
        if let Some(input) = &op.input {
            users.entry(input.shape.as_str()).or_default().push(name.as_str());
        }
    }
    let shared: Vec<(String, Vec<String>)> = users
        .into_iter()
        .filter(|(_, ops)| ops.len() > 1)
        .map(|(shape, ops)| (shape.to_string(), ops[1..].iter().map(|o| o.to_string()).collect()))
        .collect();
    if shared.is_empty() {
        return None;
    }
    let mut out = service.clone();
    for (shape, ops) in shared {
        for op in ops {
            let mut name = format!("{op}Request");
            let mut n = 2;
            while out.shapes.contains_key(&name) {
                name = format!("{op}Request{n}");
                n += 1;
            }
            let copy = out.shapes[&shape].clone();
            out.shapes.insert(name.clone(), copy);
            if let Some(input) = out.operations.get_mut(&op).and_then(|o| o.input.as_mut()) {
                input.shape = name;
            }
        }
    }
    Some(out)
}

fn or_default_doc(docs: String, default: impl FnOnce() -> String) -> String {
    if docs.trim().is_empty() {
        default()
    } else {
        docs
    }
}

/// The first sentence of Markdown docs as plain text (for `#[deprecated(note)]`).
fn plain_first_sentence(markdown: &str) -> String {
    let s = crate::docs::first_sentence(markdown);
    let s = s.trim_start_matches("> ").replace("**Note:** ", "").replace("**Important:** ", "");
    s.replace(['`', '*', '\\'], "")
}

fn deprecation(deprecated: bool, message: Option<&str>) -> Option<String> {
    deprecated.then(|| message.map(html_to_markdown).unwrap_or_default())
}

/// Whether a shape becomes a generated item (rather than a std or runtime type).
fn is_item(shape: &Shape) -> bool {
    match shape.kind {
        ShapeType::Structure => !shape.document,
        ShapeType::String => !shape.enum_values.is_empty(),
        _ => false,
    }
}

fn member_targets(shape: &Shape) -> impl Iterator<Item = &str> {
    shape
        .members
        .values()
        .chain(shape.member.iter())
        .chain(shape.key.iter())
        .chain(shape.value.iter())
        .map(|m| m.shape.as_str())
}

fn rust_type(shapes: &IndexMap<String, Shape>, ids: &IndexMap<&str, TypeId>, name: &str) -> RustType {
    // Validation guarantees every reference resolves; a missing shape (only possible for an
    // unvalidated model) falls back to a document rather than panicking.
    let Some(shape) = shapes.get(name) else { return RustType::Document };
    if let Some(id) = ids.get(name) {
        return RustType::Named(*id);
    }
    let elem =
        |m: &Option<crate::model::Member>| m.as_ref().map_or(RustType::Document, |m| rust_type(shapes, ids, &m.shape));
    match shape.kind {
        ShapeType::Structure => RustType::Document,
        ShapeType::String => RustType::String,
        ShapeType::Boolean => RustType::Bool,
        ShapeType::Byte => RustType::I8,
        ShapeType::Short => RustType::I16,
        ShapeType::Integer => RustType::I32,
        ShapeType::Long => RustType::I64,
        ShapeType::Float => RustType::F32,
        ShapeType::Double => RustType::F64,
        ShapeType::Blob => RustType::Blob,
        ShapeType::Timestamp => RustType::DateTime,
        ShapeType::BigInteger | ShapeType::BigDecimal => RustType::Document,
        ShapeType::List => RustType::List(Box::new(elem(&shape.member))),
        ShapeType::Map => RustType::Map(Box::new(elem(&shape.key)), Box::new(elem(&shape.value))),
    }
}

/// Whether values of a shape must not be printed: the shape is sensitive, or it is a collection of
/// sensitive values. Structures redact their own fields, so they are not looked into.
fn is_sensitive(shapes: &IndexMap<String, Shape>, name: &str, depth: usize) -> bool {
    let Some(shape) = shapes.get(name) else { return false };
    if shape.sensitive {
        return true;
    }
    if depth > 32 {
        return false;
    }
    match shape.kind {
        ShapeType::List => shape.member.as_ref().is_some_and(|m| is_sensitive(shapes, &m.shape, depth + 1)),
        ShapeType::Map => {
            [&shape.key, &shape.value].into_iter().flatten().any(|m| is_sensitive(shapes, &m.shape, depth + 1))
        }
        _ => false,
    }
}

/// The (structure, member) edges that must be boxed: direct structure-to-structure members that lie
/// on a cycle. Members inside lists and maps are already behind a pointer.
fn recursive_edges(service: &Service) -> HashSet<(String, String)> {
    let shapes = &service.shapes;
    let direct = |name: &str| -> Vec<(String, String)> {
        shapes.get(name).map_or(Vec::new(), |s| {
            if s.kind != ShapeType::Structure || s.document {
                return Vec::new();
            }
            s.members
                .iter()
                .filter(|(_, m)| shapes.get(&m.shape).is_some_and(|t| t.kind == ShapeType::Structure && !t.document))
                .map(|(mn, m)| (mn.clone(), m.shape.clone()))
                .collect()
        })
    };
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = IndexSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                stack.extend(direct(&n).into_iter().map(|(_, t)| t));
            }
        }
        false
    };
    let mut edges = HashSet::new();
    for name in shapes.keys() {
        for (member, target) in direct(name) {
            if reaches(&target, name) {
                edges.insert((name.clone(), member));
            }
        }
    }
    edges
}

/// What resolving members needs to know about the whole service.
struct MemberContext<'a> {
    service: &'a Service,
    shape_types: &'a IndexMap<String, RustType>,
    boxed_edges: &'a HashSet<(String, String)>,
    /// Event streams the client sends.
    sent: &'a HashSet<&'a str>,
    /// An RPC protocol: members travel in the body.
    rpc: bool,
}

/// The members of a shape as fields, or as variants; `builder`: the structure has setters.
fn fields(cx: &MemberContext<'_>, shape_name: &str, shape: &Shape, variants: bool, builder: bool) -> Vec<Field> {
    let MemberContext { service, shape_types, boxed_edges, sent, rpc } = *cx;
    let shapes = &service.shapes;
    let mut used = HashSet::new();
    if variants {
        used.insert(UNKNOWN_VARIANT.to_string());
    } else if builder {
        // The builder's own methods share the setters' namespace.
        used.extend(BUILDER_METHODS.iter().map(|m| m.to_string()));
    }
    shape
        .members
        .iter()
        .map(|(member_name, m)| {
            let target = shapes.get(&m.shape);
            let mut docs = html_to_markdown(m.documentation.as_deref().unwrap_or_default());
            if docs.trim().is_empty() {
                docs = html_to_markdown(target.and_then(|t| t.documentation.as_deref()).unwrap_or_default());
            }
            if docs.trim().is_empty() {
                docs = format!("The `{member_name}` member.");
            }
            let name = if variants { variant_name(member_name) } else { field_name(member_name) };
            // The name on the wire: `locationName` when given (a header name, a query key, or the
            // JSON key of a body member), else the member name.
            let wire_name = m.location_name.clone().unwrap_or_else(|| member_name.clone());
            let mut ty = shape_types.get(&m.shape).cloned().unwrap_or(RustType::Document);
            if target.is_some_and(|t| t.eventstream) && !variants {
                ty = if sent.contains(m.shape.as_str()) {
                    RustType::EventSender(Box::new(ty))
                } else {
                    RustType::EventStream(Box::new(ty))
                };
            }
            let binding = if rpc { rpc_binding(m, target) } else { binding(shape, member_name, m, target, &ty) };
            let constraints = target.map_or_else(Constraints::default, |t| Constraints {
                min: t.min,
                max: t.max,
                pattern: t.pattern.clone(),
            });
            let streaming = target.is_some_and(|t| t.streaming) || m.streaming;
            let required = shape.required.contains(member_name);
            let checks = validate::local_checks(&ty, &constraints, required, &binding, streaming);
            Field {
                member: member_name.clone(),
                name: unique(name, &mut used),
                ty,
                required,
                docs,
                sensitive: shape.sensitive || is_sensitive(shapes, &m.shape, 0),
                deprecated: deprecation(
                    m.deprecated || target.is_some_and(|t| t.deprecated && t.kind != ShapeType::Structure),
                    m.deprecated_message.as_deref().or(target.and_then(|t| t.deprecated_message.as_deref())),
                ),
                binding,
                wire_name,
                json_rename: false,
                json_skip: false,
                timestamp_format: m.timestamp_format.or(target.and_then(|t| t.timestamp_format)).map(timestamp_format),
                idempotency_token: m.idempotency_token,
                boxed: boxed_edges.contains(&(shape_name.to_string(), member_name.clone())),
                xml: xml_names(shapes, m, target),
                constraints,
                checks,
            }
        })
        .collect()
}
