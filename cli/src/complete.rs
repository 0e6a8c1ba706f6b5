//! Shell completion: `stratus completion bash|zsh|fish` prints a script that asks
//! `stratus __complete` for the candidates of the word being typed (the command line comes in
//! `COMP_LINE`, as bash's `complete -C` passes it).

use crate::table::{Service, Shape};

/// The script for a shell.
pub fn script(shell: &str) -> Option<&'static str> {
    match shell {
        "bash" => Some("complete -o default -C 'stratus __complete' stratus\n"),
        "zsh" => {
            Some("autoload -U +X bashcompinit && bashcompinit\ncomplete -o default -C 'stratus __complete' stratus\n")
        }
        "fish" => Some("complete -c stratus -f -a '(env COMP_LINE=(commandline -cp) stratus __complete)'\n"),
        _ => None,
    }
}

const GLOBALS: &[&str] = &[
    "--profile",
    "--region",
    "--endpoint-url",
    "--output",
    "--query",
    "--debug",
    "--no-sign-request",
    "--no-paginate",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--cli-input-json",
    "--generate-cli-skeleton",
    "--cli-binary-format",
];

/// Candidates for the last word of `line` (the line up to the cursor).
pub fn candidates(services: &[&Service], line: &str) -> Vec<String> {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    if line.ends_with(' ') || words.is_empty() {
        words.push("");
    }
    let current = words.last().copied().unwrap_or_default();
    let previous = words.len().checked_sub(2).and_then(|i| words.get(i)).copied().unwrap_or_default();
    // The positional words typed so far (after the program name), options and their values aside.
    let positional: Vec<&str> = words
        .get(1..words.len().saturating_sub(1))
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|w| !w.starts_with("--"))
        .collect();
    let mut out: Vec<String> = Vec::new();
    let service = positional.first().and_then(|n| services.iter().find(|s| s.name == *n));
    match (positional.len(), service) {
        (0, _) if !current.starts_with('-') => {
            out.extend(services.iter().map(|s| s.name.to_string()));
            out.push("help".into());
        }
        (1, Some(s)) if !current.starts_with('-') => {
            out.extend(s.ops.iter().map(|o| o.cli.to_string()));
            if !s.waiters.is_empty() {
                out.push("wait".into());
            }
            out.push("help".into());
        }
        (2, Some(s)) if positional[1] == "wait" && !current.starts_with('-') => {
            out.extend(s.waiters.iter().map(|w| w.cli.to_string()));
        }
        (_, Some(s)) => {
            let op = if positional.get(1) == Some(&"wait") {
                positional
                    .get(2)
                    .and_then(|w| s.waiters.iter().find(|x| x.cli == *w))
                    .and_then(|w| s.ops.iter().find(|o| o.name == w.op))
            } else {
                positional.get(1).and_then(|o| s.ops.iter().find(|op| op.cli == *o))
            };
            if let Some(op) = op {
                let value_of = previous.strip_prefix("--").and_then(|p| op.input.iter().find(|m| m.cli == p));
                match value_of.map(|m| &s.shapes[m.shape as usize]) {
                    Some(Shape::Enum(values)) => out.extend(values.iter().map(|v| v.to_string())),
                    Some(_) if !current.starts_with('-') => {}
                    _ => {
                        for m in op.input {
                            out.push(format!("--{}", m.cli));
                            if matches!(s.shapes[m.shape as usize], Shape::Boolean) {
                                out.push(format!("--no-{}", m.cli));
                            }
                        }
                        if op.paginator.is_some() {
                            out.extend(["--max-items", "--starting-token", "--page-size"].map(String::from));
                        }
                        out.extend(GLOBALS.iter().map(|g| g.to_string()));
                    }
                }
            }
        }
        _ => {}
    }
    if previous == "--output" {
        out = ["json", "text", "table", "yaml", "yaml-stream"].map(String::from).to_vec();
    }
    out.retain(|c| c.starts_with(current));
    out
}

#[cfg(test)]
mod tests {
    use super::candidates;
    use crate::services::SERVICES;

    #[test]
    fn completes_services_operations_options_and_values() {
        assert!(candidates(SERVICES, "stratus la").contains(&"lambda".to_string()));
        let ops = candidates(SERVICES, "stratus lambda get-f");
        assert!(ops.contains(&"get-function".to_string()) && !ops.contains(&"list-functions".to_string()), "{ops:?}");
        let opts = candidates(SERVICES, "stratus lambda get-function --fun");
        assert_eq!(opts, ["--function-name"]);
        let values = candidates(SERVICES, "stratus dynamodb create-table --billing-mode ");
        assert!(values.contains(&"PAY_PER_REQUEST".to_string()), "{values:?}");
        assert!(candidates(SERVICES, "stratus dynamodb wait t").contains(&"table-exists".to_string()));
        assert_eq!(candidates(SERVICES, "stratus sts get-caller-identity --output t"), ["text", "table"]);
        assert!(candidates(SERVICES, "stratus nope ").is_empty());
        // A line with only the program, or nothing, does not panic.
        assert!(candidates(SERVICES, "stratus").is_empty());
        assert!(candidates(SERVICES, "").contains(&"lambda".to_string()));
    }
}
