//! Every internal link of the generated reference pages resolves: the file exists and, when the
//! link names a section, a heading of that file has that anchor.

use std::path::{Path, PathBuf};
use stratus_codegen::emit::reference::anchor;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            markdown_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

/// `(target)` of every `[text](target)` outside fenced code blocks.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

fn anchors(text: &str) -> Vec<String> {
    let mut in_code = false;
    text.lines()
        .filter(|l| {
            if l.trim_start().starts_with("```") {
                in_code = !in_code;
            }
            !in_code
        })
        .filter_map(|l| l.trim_start_matches('#').strip_prefix(' ').filter(|_| l.starts_with('#')))
        .map(anchor)
        .collect()
}

fn check_dir(docs: &Path) -> (usize, Vec<String>) {
    let mut files = Vec::new();
    markdown_files(docs, &mut files);
    assert!(!files.is_empty(), "no pages under {}", docs.display());
    let mut checked = 0;
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for link in links(&text) {
            if link.starts_with('<') || link.starts_with("http://") || link.starts_with("https://") {
                continue;
            }
            checked += 1;
            let (path, frag) = link.split_once('#').unwrap_or((&link, ""));
            let target = if path.is_empty() { file.clone() } else { file.parent().unwrap().join(path) };
            match std::fs::read_to_string(&target) {
                Err(_) => broken.push(format!("{}: {link} (no such file)", file.display())),
                Ok(t) if !frag.is_empty() && !anchors(&t).iter().any(|a| a == frag) => {
                    broken.push(format!("{}: {link} (no such section)", file.display()))
                }
                Ok(_) => {}
            }
        }
    }
    (checked, broken)
}

#[test]
fn lambda_reference_links_resolve() {
    let (checked, broken) = check_dir(&root().join("generated/lambda/docs"));
    assert!(checked > 1000, "only {checked} links checked");
    assert!(broken.is_empty(), "{} broken links:\n{}", broken.len(), broken.join("\n"));
}

#[test]
fn fixture_reference_links_resolve() {
    for fixture in ["clashes", "collections", "docs", "enums", "sensitive", "waiters"] {
        let (_, broken) = check_dir(&root().join("tests/generated").join(fixture).join("docs"));
        assert!(broken.is_empty(), "{fixture}: {}", broken.join("\n"));
    }
}

#[test]
fn the_checker_finds_broken_links() {
    let dir = std::env::temp_dir().join(format!("stratus-links-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.md"), "# A\n\n[ok](b.md#b-title) [missing file](c.md) [missing section](b.md#nope)\n")
        .unwrap();
    std::fs::write(dir.join("b.md"), "# B title\n").unwrap();
    let (checked, broken) = check_dir(&dir);
    assert_eq!(checked, 3);
    assert_eq!(broken.len(), 2, "{broken:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The mid-2020 model's waiters, as its reference index lists them.
#[test]
fn waiters_table_of_the_2020_model() {
    let model = stratus_codegen::model::ServiceModel::load(root().join("model/lambda-2020/2015-03-31")).unwrap();
    let ir = stratus_codegen::ir::build(&model).unwrap();
    let options = stratus_codegen::emit::Options {
        crate_name: "stratus-lambda-2020".into(),
        version: "0.0.0".into(),
        model_source: "model/lambda-2020/2015-03-31".into(),
        runtime_path: "../../runtime".into(),
        runtime_version: "0.1.0".into(),
        publish: false,
        root: "crate".into(),
    };
    let files = stratus_codegen::emit::generate(&ir, &options).unwrap();
    let index = files.iter().find(|f| f.path == Path::new("docs/index.md")).unwrap();
    let rows: Vec<Vec<String>> = index
        .contents
        .lines()
        .skip_while(|l| *l != "## Waiters")
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Waiter"))
        .map(|l| l.split('|').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect())
        .take_while(|r: &Vec<String>| r.len() == 4)
        .collect();
    let simplified: Vec<String> = rows
        .iter()
        .map(|r| format!("{}/{}/{}/{}", r[0], r[1].split(']').next().unwrap_or("").trim_start_matches('['), r[2], r[3]))
        .collect();
    let mut want = vec![
        "FunctionExists/GetFunction/1/20".to_string(),
        "FunctionActive/GetFunctionConfiguration/5/60".to_string(),
        "FunctionUpdated/GetFunctionConfiguration/5/60".to_string(),
    ];
    let mut got = simplified.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want, "{}", index.contents);
}
