//! `stratus` against the real AWS CLI: the same commands through both, against the same moto
//! server; outputs compared (JSON as values, anything else as text) and exit codes compared.
//!
//! `cargo xtask test` runs it with `STRATUS_MOTO_URL` (the server) and `STRATUS_AWS_CLI` (the `aws`
//! of the test venv) set; alone it is ignored.
//!
//! `--output yaml` exists only in version 2 of the AWS CLI, which is not on PyPI. Version 2 prints
//! YAML by dumping the response with ruamel.yaml 0.17.21 (`YAML(typ='safe', pure=True)`, block
//! style); the YAML cases run the AWS CLI with `--output json` and dump what it printed the same
//! way, with the ruamel.yaml of the test venv, and compare that text with `stratus --output yaml`
//! byte for byte.
//!
//! The AWS CLI on PyPI is version 1; Stratus follows version 2's documented exit codes. Version 1
//! exits 2 for usage errors (v2: 252), and 255 for unknown options (v2: 252), service errors (v2:
//! 254) and a missing region (v2: 253); [`v2_code`] translates, by the message version 1 prints,
//! and nothing else is translated.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn moto() -> String {
    std::env::var("STRATUS_MOTO_URL").expect("STRATUS_MOTO_URL is not set: run `cargo xtask test`")
}

fn aws() -> PathBuf {
    PathBuf::from(std::env::var("STRATUS_AWS_CLI").expect("STRATUS_AWS_CLI is not set: run `cargo xtask test`"))
}

/// Words of a command line: spaces separate, single quotes group.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(program: &Path, args: &[String], home: &Path) -> Run {
    let out = Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", program.display()));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Sets moto's configuration (`POST /moto-api/config`).
fn moto_config(url: &str, body: &str) {
    use std::io::{Read, Write};
    let host = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).expect("moto is not reachable");
    let request = format!(
        "POST /moto-api/config HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 20") || answer.starts_with("HTTP/1.0 20"), "moto config: {answer}");
}

/// AWS CLI v1's exit code as v2 documents it.
fn v2_code(r: &Run) -> i32 {
    match r.code {
        2 => 252,
        255 if r.stderr.contains("An error occurred (") => 254,
        255 if r.stderr.contains("Unknown options") || r.stderr.contains("Parameter validation failed") => 252,
        255 if r.stderr.contains("You must specify a region") => 253,
        c => c,
    }
}

/// The same output: JSON compared as values, other text as text.
fn same_output(a: &str, b: &str) -> bool {
    match (serde_json::from_str::<Value>(a), serde_json::from_str::<Value>(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.trim_end() == b.trim_end(),
    }
}

/// Commands run through both tools (`{url}` is moto's URL). Each line is one case.
const CASES: &str = r#"
sts get-caller-identity
sts get-caller-identity --query Account
sts get-caller-identity --query '[Account, Arn]'
sts get-caller-identity --query 'length(Arn)'
sts get-session-token --query 'Credentials | keys(@) | sort(@)'
sqs list-queues
sqs list-queues --queue-name-prefix diff
sqs list-queues --queue-name-prefix nothing-has-this-prefix
sqs get-queue-url --queue-name diff-q
sqs get-queue-url --queue-name diff-q --query QueueUrl
sqs get-queue-url --queue-name no-such-queue
sqs get-queue-attributes --queue-url {url}/123456789012/diff-q --attribute-names VisibilityTimeout DelaySeconds
sqs get-queue-attributes --queue-url {url}/123456789012/diff-q --attribute-names All --query 'Attributes.VisibilityTimeout'
sqs list-queue-tags --queue-url {url}/123456789012/diff-q
sqs get-queue-url --generate-cli-skeleton
sqs get-queue-url --generate-cli-skeleton input
sqs get-queue-url
sqs get-queue-url --queue-name diff-q --bogus-option 1
sqs no-such-operation
dynamodb list-tables
dynamodb list-tables --max-items 1
dynamodb list-tables --query 'TableNames[?starts_with(@, `diff`)]'
dynamodb describe-table --table-name diff-t --query 'Table.[TableName, KeySchema]'
dynamodb describe-table --table-name diff-t --query 'Table.AttributeDefinitions[].AttributeName'
dynamodb get-item --table-name diff-t --key '{"pk": {"S": "a"}}'
dynamodb get-item --table-name diff-t --key '{"pk": {"S": "a"}}' --query 'Item.n.N'
dynamodb get-item --table-name diff-t --key '{"pk": {"S": "missing"}}'
dynamodb scan --table-name diff-t --query 'sort_by(Items, &pk.S)[].pk.S'
dynamodb scan --table-name diff-t --query 'Count'
dynamodb query --table-name diff-t --key-condition-expression 'pk = :v' --expression-attribute-values '{":v": {"S": "b"}}'
dynamodb describe-table --table-name no-such-table
dynamodb get-item --table-name diff-t
iam list-roles --query 'Roles[?starts_with(RoleName, `diff-`)].RoleName | sort(@)'
iam list-roles --path-prefix /diff/ --query 'Roles[].RoleName | sort(@)'
iam list-roles --path-prefix /diff/ --max-items 2 --query 'length(Roles)'
iam get-role --role-name diff-r1 --query 'Role.[RoleName, Path, Arn]'
iam get-role --role-name diff-r1 --query 'Role.AssumeRolePolicyDocument'
iam get-role --role-name no-such-role
iam list-users --query 'Users[].UserName'
iam get-user --user-name diff-u --query 'User.[UserName, Path]'
iam list-role-tags --role-name diff-r1
iam list-attached-role-policies --role-name diff-r1
iam get-role --generate-cli-skeleton
iam get-role
lambda list-functions
lambda list-functions --query 'Functions[].FunctionName'
lambda get-function --function-name no-such-function
lambda get-function
lambda get-function --generate-cli-skeleton
lambda list-layers
lambda no-such-operation
no-such-service list-things
sts get-caller-identity --output text
sts get-caller-identity --output text --query Account
sts get-caller-identity --output json --query UserId
sqs list-queues --output text
sqs get-queue-url --queue-name diff-q --output text
sqs get-queue-attributes --queue-url {url}/123456789012/diff-q --attribute-names VisibilityTimeout --output text
dynamodb list-tables --output text
dynamodb list-tables --no-paginate
dynamodb describe-table --table-name diff-t --output text --query 'Table.KeySchema'
dynamodb scan --table-name diff-t --output text --query 'Count'
dynamodb get-item --table-name diff-t --key '{"pk": {"S": "b"}}' --output text
iam list-roles --path-prefix /diff/ --max-items 2 --query NextToken
iam list-roles --path-prefix /diff/ --max-items 2 --output text --query 'Roles[].RoleName'
iam list-roles --path-prefix /diff/ --starting-token eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ== --query 'Roles[].RoleName'
iam list-roles --path-prefix /diff/ --page-size 1 --query 'Roles[].RoleName | sort(@)'
iam list-roles --path-prefix /diff/ --page-size 1 --output text --query 'Roles[].RoleName'
iam list-roles --path-prefix /diff/ --page-size 1 --max-items 2 --query NextToken
iam get-role --role-name diff-r1 --output text --query 'Role.RoleName'
iam list-users --output text --query 'Users[].UserName'
lambda list-functions --output text
dynamodb wait table-exists --table-name diff-t
dynamodb wait table-exists
dynamodb wait no-such-waiter --table-name diff-t
iam wait role-exists --role-name diff-r1
iam wait user-exists --user-name diff-u
lambda invoke --function-name diff-f --payload '{"a": 1}' {out}
lambda invoke --function-name diff-f {out}
lambda invoke --function-name diff-f
lambda get-function --function-name diff-f --query 'Configuration.[FunctionName, Runtime, Handler]'
lambda list-functions --query 'Functions[].[FunctionName, Runtime]' --output text
sts get-caller-identity --output table
sqs list-queues --output table
dynamodb describe-table --table-name diff-t --output table --query 'Table.KeySchema'
dynamodb scan --table-name diff-t --output table
dynamodb get-item --table-name diff-t --key '{"pk": {"S": "b"}}' --output table
iam list-roles --path-prefix /diff/ --output table --query 'Roles[].[RoleName, Path]'
iam get-role --role-name diff-r1 --output table
iam list-roles --path-prefix /diff/ --max-items 2 --output table --query 'Roles[].RoleName'
lambda list-functions --output table --query 'Functions[].[FunctionName, Handler]'
sts get-caller-identity --output table --query Account
iam get-role --role-name diff-r1 --query 'Role.CreateDate'
iam list-users --query 'Users[].CreateDate'
dynamodb describe-table --table-name diff-t --query 'Table.CreationDateTime'
sts get-session-token --query 'length(Credentials.Expiration)'
sts get-caller-identity --max-items 1
lambda update-function-code --function-name diff-f --zip-file fileb://{zip} --query CodeSize
lambda update-function-code --function-name diff-f --zip-file fileb://{notzip}
lambda create-function --function-name diff-f --runtime python3.12 --role arn:aws:iam::123456789012:role/diff/diff-r1 --handler h --zip-file fileb://{zip}
lambda create-function --function-name diff-g --runtime python3.12 --role arn:aws:iam::123456789012:role/diff/diff-r1 --handler h --zip-file fileb://{notzip}
lambda publish-layer-version --layer-name diff-l --zip-file fileb://{notzip}
dynamodb scan --table-name diff-t --max-items 1 --query '[Count, ScannedCount, length(Items)]'
dynamodb scan --table-name diff-t --starting-token eyJFeGNsdXNpdmVTdGFydEtleSI6IG51bGwsICJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDF9 --query '[Count, ScannedCount, length(Items)]'
"#;

/// Commands whose `--output yaml` is compared with version 2's YAML of the AWS CLI's answer.
const YAML_CASES: &str = r#"
sts get-caller-identity
sts get-caller-identity --query Account
sts get-caller-identity --query '[Account, Arn]'
sqs list-queues
sqs get-queue-attributes --queue-url {url}/123456789012/diff-q --attribute-names All
dynamodb describe-table --table-name diff-t
dynamodb scan --table-name diff-t
dynamodb get-item --table-name diff-t --key '{"pk": {"S": "c"}}'
dynamodb scan --table-name diff-t --query 'Items[].pk.S'
iam list-roles --path-prefix /diff/
iam get-role --role-name diff-r1
iam list-roles --path-prefix /diff/ --max-items 2
iam list-users --query 'Users[0].UserName'
lambda list-functions
lambda get-function --function-name diff-f --query Configuration
lambda list-tags --resource arn:aws:lambda:us-east-1:123456789012:function:diff-f
"#;

/// What version 2 of the AWS CLI prints for `--output yaml`, from what version 1 printed for
/// `--output json`: ruamel.yaml's safe dump in block style, nothing for an empty object.
const YAML_OF_JSON: &str = r#"
import json, sys
import ruamel.yaml
text = sys.stdin.read()
value = json.loads(text) if text.strip() else {}
if value != {}:
    y = ruamel.yaml.YAML(typ='safe', pure=True)
    y.default_flow_style = False
    y.dump(value, sys.stdout)
"#;

fn version_2_yaml(json: &str) -> String {
    use std::io::Write;
    let python = aws().with_file_name("python");
    let mut child = Command::new(&python)
        .args(["-c", YAML_OF_JSON])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {}: {e}", python.display()));
    child.stdin.take().unwrap().write_all(json.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "ruamel.yaml failed on {json}");
    String::from_utf8(out.stdout).unwrap()
}

/// What both tools see before the cases run (made with the AWS CLI).
const SETUP: &str = r#"
sqs create-queue --queue-name diff-q --attributes VisibilityTimeout=45,DelaySeconds=2
dynamodb create-table --table-name diff-t --attribute-definitions AttributeName=pk,AttributeType=S --key-schema AttributeName=pk,KeyType=HASH --billing-mode PAY_PER_REQUEST
dynamodb put-item --table-name diff-t --item '{"pk": {"S": "a"}, "n": {"N": "1"}}'
dynamodb put-item --table-name diff-t --item '{"pk": {"S": "b"}, "n": {"N": "2"}, "tags": {"SS": ["x", "y"]}}'
dynamodb put-item --table-name diff-t --item '{"pk": {"S": "c"}, "m": {"M": {"k": {"BOOL": true}}}}'
iam create-role --role-name diff-r1 --path /diff/ --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}' --tags Key=team,Value=core
iam create-role --role-name diff-r2 --path /diff/ --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}'
iam create-role --role-name diff-r3 --path /diff/ --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}'
iam create-user --user-name diff-u
lambda create-function --function-name diff-f --runtime python3.12 --role arn:aws:iam::123456789012:role/diff/diff-r1 --handler lambda_function.lambda_handler --zip-file fileb://{zip}
"#;

#[test]
#[ignore = "needs moto and the AWS CLI: run `cargo xtask test`"]
fn stratus_matches_the_aws_cli() {
    let url = moto();
    let home = std::env::temp_dir().join(format!("stratus-cli-diff-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let stratus = PathBuf::from(env!("CARGO_BIN_EXE_stratus"));
    // Lambda without Docker, and a function to invoke.
    moto_config(&url, r#"{"lambda":{"use_docker":false}}"#);
    let zip = home.join("function.zip");
    let made = Command::new("python3")
        .args(["-c", "import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1],'w')\nz.writestr('lambda_function.py','def lambda_handler(event, context):\\n    return {\"echo\": event}\\n')\nz.close()"])
        .arg(&zip)
        .status()
        .unwrap();
    assert!(made.success(), "cannot make the function zip");
    let not_zip = home.join("not.zip");
    std::fs::write(&not_zip, b"plain text, not an archive").unwrap();
    let with_url = |line: &str| {
        let line =
            line.replace("{zip}", &zip.display().to_string()).replace("{notzip}", &not_zip.display().to_string());
        let mut w = words(&line.replace("{url}", &url));
        w.extend(["--endpoint-url".to_string(), url.clone()]);
        w
    };
    for line in SETUP.lines().filter(|l| !l.trim().is_empty()) {
        let r = run(&aws(), &with_url(line), &home);
        // A server that already ran this suite has the resources.
        let exists =
            ["already exist", "ResourceInUseException", "EntityAlreadyExists"].iter().any(|m| r.stderr.contains(m));
        assert!(r.code == 0 || exists, "setup `{line}` failed: {}", r.stderr);
    }
    let mut failures = Vec::new();
    let mut count = 0;
    for line in CASES.lines().filter(|l| !l.trim().is_empty()) {
        count += 1;
        let args = with_url(line);
        // A file each tool writes (`{out}`), compared afterwards.
        let (their_file, our_file) = (home.join("aws.out"), home.join("stratus.out"));
        let args_for = |file: &Path| -> Vec<String> {
            args.iter().map(|a| if a == "{out}" { file.display().to_string() } else { a.clone() }).collect()
        };
        let _ = (std::fs::remove_file(&their_file), std::fs::remove_file(&our_file));
        let theirs = run(&aws(), &args_for(&their_file), &home);
        let ours = run(&stratus, &args_for(&our_file), &home);
        if line.contains("{out}") && std::fs::read(&their_file).ok() != std::fs::read(&our_file).ok() {
            failures.push(format!(
                "`{line}`: the written files differ\n--- stratus\n{:?}\n--- aws\n{:?}",
                std::fs::read_to_string(&our_file).ok(),
                std::fs::read_to_string(&their_file).ok()
            ));
        }
        let (want, got) = (v2_code(&theirs), ours.code);
        if want != got {
            failures.push(format!(
                "`{line}`: exit {got}, the AWS CLI {} (as v2: {want})\n  ours: {}\n  theirs: {}",
                theirs.code,
                ours.stderr.trim(),
                theirs.stderr.trim()
            ));
        } else if !same_output(&ours.stdout, &theirs.stdout) {
            failures
                .push(format!("`{line}`: outputs differ\n--- stratus\n{}\n--- aws\n{}", ours.stdout, theirs.stdout));
        }
    }
    for line in YAML_CASES.lines().filter(|l| !l.trim().is_empty()) {
        count += 1;
        let args = with_url(line);
        let mut json = args.clone();
        json.extend(["--output".to_string(), "json".to_string()]);
        let mut yaml = args;
        yaml.extend(["--output".to_string(), "yaml".to_string()]);
        let theirs = run(&aws(), &json, &home);
        let ours = run(&stratus, &yaml, &home);
        if theirs.code != 0 || ours.code != 0 {
            failures.push(format!(
                "`{line}` (yaml): exit {} (ours), {} (aws)\n  ours: {}\n  theirs: {}",
                ours.code,
                theirs.code,
                ours.stderr.trim(),
                theirs.stderr.trim()
            ));
            continue;
        }
        let want = version_2_yaml(&theirs.stdout);
        if ours.stdout != want {
            failures.push(format!(
                "`{line}` --output yaml differs\n--- stratus\n{}\n--- aws (version 2's YAML)\n{want}",
                ours.stdout
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&home);
    assert!(count >= 60, "only {count} cases");
    assert!(failures.is_empty(), "{} of {count} commands differ:\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn words_split_like_a_shell() {
    assert_eq!(words("a 'b c' d"), ["a", "b c", "d"]);
    assert_eq!(words("--q '[A, B]'"), ["--q", "[A, B]"]);
    assert_eq!(words("x ''"), ["x", ""]);
}
