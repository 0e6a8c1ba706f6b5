//! Converts the HTML fragments of botocore documentation strings into Markdown for rustdoc.
//!
//! The models use a small subset of HTML (`p`, `a`, `code`, `ul`/`ol`/`li`, `note`, `important`, `b`,
//! `i`, `br`, entities) and are not always well formed (an unclosed `<p>` is common). We parse into a
//! tiny tree, tolerating stray and missing end tags, and render that. The output must also be clean
//! *rustdoc*: text that Markdown or rustdoc would misread (brackets that look like intra-doc links,
//! `<...>` that looks like an HTML tag, bare URLs, indented lines that would become doctests) is
//! escaped or wrapped.

/// A parsed HTML node.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Element { name: String, href: Option<String>, children: Vec<Node> },
}

/// Tags that never have content.
fn is_void(name: &str) -> bool {
    matches!(name, "br" | "hr" | "img")
}

/// Tags that start a new block in the output.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "ul"
            | "ol"
            | "li"
            | "note"
            | "important"
            | "pre"
            | "div"
            | "dl"
            | "dt"
            | "dd"
            | "br"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "programlisting"
            | "examples"
            | "table"
    )
}

/// Converts an HTML documentation fragment to Markdown. Returns an empty string for empty input.
pub fn html_to_markdown(html: &str) -> String {
    let nodes = parse(html);
    let blocks = render_blocks(&nodes);
    blocks.join("\n\n")
}

/// The first sentence of a Markdown text (up to the first `. ` at paragraph level), for summaries.
pub fn first_sentence(markdown: &str) -> String {
    let para = markdown.split("\n\n").next().unwrap_or_default().replace('\n', " ");
    let mut end = para.len();
    let bytes = para.as_bytes();
    let mut in_code = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'`' {
            in_code = !in_code;
        }
        if !in_code && b == b'.' && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
            end = i + 1;
            break;
        }
    }
    para[..end].trim().to_string()
}

fn parse(html: &str) -> Vec<Node> {
    // A stack of open elements; the bottom entry is the document root.
    let mut stack: Vec<(String, Option<String>, Vec<Node>)> = vec![(String::new(), None, Vec::new())];
    let mut rest = html;
    while !rest.is_empty() {
        let lt = rest.find('<');
        let text_end = lt.unwrap_or(rest.len());
        if text_end > 0 {
            push(&mut stack, Node::Text(decode_entities(&rest[..text_end])));
            rest = &rest[text_end..];
            continue;
        }
        // rest starts with '<'
        let Some(gt) = rest.find('>') else {
            // A lone '<' with no closing '>' is text.
            push(&mut stack, Node::Text(decode_entities(rest)));
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue; // comment or declaration
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            // Close up to the matching open element; ignore a stray end tag.
            if let Some(pos) = stack.iter().rposition(|(n, _, _)| *n == name) {
                if pos > 0 {
                    while stack.len() > pos {
                        close(&mut stack);
                    }
                }
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let mut parts = tag.splitn(2, |c: char| c.is_whitespace());
        let name = parts.next().unwrap_or_default().to_ascii_lowercase();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            // Not a tag at all (`a < b`): keep it as text.
            push(&mut stack, Node::Text(decode_entities(&format!("<{tag}>"))));
            continue;
        }
        let href = attribute(parts.next().unwrap_or_default(), "href").map(|h| decode_entities(&h));
        // A new paragraph or list item implicitly closes an open `<p>` (HTML's own rule).
        if is_block(&name) && name != "br" {
            if let Some(pos) = stack.iter().rposition(|(n, _, _)| n == "p") {
                let inside_li = stack[pos..].iter().any(|(n, _, _)| n == "li");
                if !inside_li && pos > 0 && (name == "p" || name == "li") {
                    while stack.len() > pos {
                        close(&mut stack);
                    }
                }
            }
        }
        if is_void(&name) || self_closing {
            push(&mut stack, Node::Element { name, href, children: Vec::new() });
        } else {
            stack.push((name, href, Vec::new()));
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().map(|(_, _, children)| children).unwrap_or_default()
}

fn push(stack: &mut [(String, Option<String>, Vec<Node>)], node: Node) {
    if let Some(top) = stack.last_mut() {
        top.2.push(node);
    }
}

fn close(stack: &mut Vec<(String, Option<String>, Vec<Node>)>) {
    if let Some((name, href, children)) = stack.pop() {
        push(stack, Node::Element { name, href, children });
    }
}

fn attribute(attrs: &str, want: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq].trim().to_ascii_lowercase();
        let after = rest[eq + 1..].trim_start();
        let (value, next) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &after[1..];
                match body.find(q) {
                    Some(end) => (&body[..end], &body[end + 1..]),
                    None => (body, ""),
                }
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        if name == want {
            return Some(value.to_string());
        }
        rest = next;
    }
    None
}

/// Decodes the HTML entities used in models (named ones and numeric ones).
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest.find(';').filter(|&i| i <= 10);
        let decoded = semi.and_then(|i| {
            let ent = &rest[1..i];
            let ch = match ent {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => {
                    let code = if let Some(hex) = ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X")) {
                        u32::from_str_radix(hex, 16).ok()
                    } else if let Some(dec) = ent.strip_prefix('#') {
                        dec.parse().ok()
                    } else {
                        None
                    };
                    code.and_then(char::from_u32)
                }
            };
            ch.map(|c| (c, i))
        });
        match decoded {
            Some((c, i)) => {
                out.push(c);
                rest = &rest[i + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Renders a sequence of nodes as Markdown blocks (paragraphs, lists, quotes).
fn render_blocks(nodes: &[Node]) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut inline = String::new();
    walk_blocks(nodes, &mut blocks, &mut inline);
    flush(&mut blocks, &mut inline);
    blocks
}

fn walk_blocks(nodes: &[Node], blocks: &mut Vec<String>, inline: &mut String) {
    for node in nodes {
        match node {
            Node::Element { name, children, .. } if is_block(name) => {
                flush(blocks, inline);
                match name.as_str() {
                    "ul" | "ol" => {
                        let list = render_list(children, name == "ol");
                        if !list.is_empty() {
                            blocks.push(list);
                        }
                    }
                    "note" | "important" => {
                        let inner = render_blocks(children);
                        if !inner.is_empty() {
                            let label = if name == "note" { "**Note:**" } else { "**Important:**" };
                            let body = format!("{label} {}", inner.join("\n\n"));
                            blocks.push(quote_lines(&body));
                        }
                    }
                    "pre" | "programlisting" => {
                        let text = raw_text(children);
                        let text = text.trim_matches('\n');
                        if !text.trim().is_empty() {
                            blocks.push(format!("```text\n{}\n```", text.replace("```", "'''")));
                        }
                    }
                    "br" => {}
                    _ => blocks.extend(render_blocks(children)),
                }
            }
            Node::Element { name, children, .. } if !is_inline(name) && has_block(children) => {
                // An unknown wrapper around blocks: transparent.
                walk_blocks(children, blocks, inline);
            }
            other => render_inline(other, inline),
        }
    }
}

fn is_inline(name: &str) -> bool {
    matches!(name, "a" | "b" | "strong" | "i" | "em" | "code" | "span" | "fullname" | "u" | "sup" | "sub")
}

fn has_block(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| match n {
        Node::Element { name, children, .. } => is_block(name) || has_block(children),
        Node::Text(_) => false,
    })
}

fn render_list(items: &[Node], ordered: bool) -> String {
    let mut out = Vec::new();
    let mut n = 0;
    let mut stray = String::new();
    for item in items {
        let children = match item {
            Node::Element { name, children, .. } if name == "li" => children.as_slice(),
            Node::Text(t) if t.trim().is_empty() => continue,
            other => {
                // Content between items that is not in an `li`: attach it as an item of its own.
                render_inline(other, &mut stray);
                continue;
            }
        };
        let body = render_blocks(children).join("\n\n");
        if body.is_empty() {
            continue;
        }
        n += 1;
        let marker = if ordered { format!("{n}. ") } else { "- ".to_string() };
        let indent = " ".repeat(marker.len());
        let mut lines = body.lines();
        let mut s = format!("{marker}{}", lines.next().unwrap_or_default());
        for line in lines {
            s.push('\n');
            if !line.is_empty() {
                s.push_str(&indent);
                s.push_str(line);
            }
        }
        out.push(s);
    }
    let stray = collapse(&stray);
    if !stray.is_empty() {
        out.push(format!("- {stray}"));
    }
    out.join("\n")
}

fn quote_lines(body: &str) -> String {
    body.lines().map(|l| if l.is_empty() { ">".to_string() } else { format!("> {l}") }).collect::<Vec<_>>().join("\n")
}

fn flush(blocks: &mut Vec<String>, inline: &mut String) {
    let text = collapse(inline);
    inline.clear();
    if !text.is_empty() {
        blocks.push(escape_line_start(&text));
    }
}

/// Collapses runs of whitespace into one space and trims, as HTML renders text.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes what would make a paragraph start a heading, list or quote.
fn escape_line_start(text: &str) -> String {
    let starts_list = text.starts_with("- ") || text.starts_with("+ ") || text.starts_with("= ");
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let starts_ordered = digits > 0 && matches!(text[digits..].chars().next(), Some('.' | ')'));
    if starts_list || text.starts_with('#') {
        format!("\\{text}")
    } else if starts_ordered {
        format!("{}\\{}", &text[..digits], &text[digits..])
    } else {
        text.to_string()
    }
}

fn render_inline(node: &Node, out: &mut String) {
    match node {
        Node::Text(t) => out.push_str(&escape_text(t)),
        Node::Element { name, href, children } => match name.as_str() {
            "code" => {
                let text = collapse(&raw_text(children));
                if !text.is_empty() {
                    let ticks = if text.contains('`') { "``" } else { "`" };
                    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
                    out.push_str(&format!("{ticks}{pad}{text}{pad}{ticks}"));
                }
            }
            "b" | "strong" => wrap(children, "**", out),
            "i" | "em" => wrap(children, "*", out),
            "a" => {
                let mut text = String::new();
                for c in children {
                    render_inline(c, &mut text);
                }
                let text = collapse(&text);
                match href.as_deref().map(str::trim) {
                    Some(h) if h.starts_with("http://") || h.starts_with("https://") => {
                        let dest = h.replace(' ', "%20").replace('>', "%3E").replace('<', "%3C");
                        if text.is_empty() {
                            out.push_str(&format!("<{dest}>"));
                        } else {
                            out.push_str(&format!("[{text}](<{dest}>)"));
                        }
                    }
                    _ => out.push_str(&text),
                }
            }
            "br" => out.push(' '),
            _ => {
                for c in children {
                    render_inline(c, out);
                }
            }
        },
    }
}

/// Wraps inline content in emphasis markers, keeping surrounding whitespace outside the markers
/// (Markdown ignores `** text **`).
fn wrap(children: &[Node], marker: &str, out: &mut String) {
    let mut inner = String::new();
    for c in children {
        render_inline(c, &mut inner);
    }
    let text = collapse(&inner);
    if text.is_empty() {
        out.push_str(&inner);
        return;
    }
    if inner.starts_with(char::is_whitespace) {
        out.push(' ');
    }
    out.push_str(marker);
    out.push_str(&text);
    out.push_str(marker);
    if inner.ends_with(char::is_whitespace) {
        out.push(' ');
    }
}

/// The text content of nodes, without markup or escaping.
fn raw_text(nodes: &[Node]) -> String {
    let mut s = String::new();
    for n in nodes {
        match n {
            Node::Text(t) => s.push_str(t),
            Node::Element { name, children, .. } => {
                if name == "br" {
                    s.push('\n');
                }
                s.push_str(&raw_text(children));
            }
        }
    }
    s
}

/// Escapes Markdown and rustdoc syntax in plain text, and wraps bare URLs in `<...>`.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let url_at = ["https://", "http://"].iter().filter_map(|p| rest.find(p)).min();
        let (plain, url) = match url_at {
            Some(i) => {
                let tail = &rest[i..];
                let mut end =
                    tail.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"')).unwrap_or(tail.len());
                while end > 0 && matches!(tail.as_bytes()[end - 1], b'.' | b',' | b')' | b';' | b':' | b'\'') {
                    end -= 1;
                }
                (&rest[..i], Some(&tail[..end]))
            }
            None => (rest, None),
        };
        for c in plain.chars() {
            match c {
                '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' => {
                    out.push('\\');
                    out.push(c);
                }
                '&' => out.push_str("&amp;"),
                _ => out.push(c),
            }
        }
        rest = &rest[plain.len()..];
        if let Some(url) = url {
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_inline() {
        let md =
            html_to_markdown("<p>The <b>name</b> of the <code>my-fn</code> function.</p> <p>Second <i>one</i>.</p>");
        assert_eq!(md, "The **name** of the `my-fn` function.\n\nSecond *one*.");
    }

    #[test]
    fn lists_nested_and_ordered() {
        let md = html_to_markdown("<ul><li><p>One</p></li><li>Two<ol><li>a</li><li>b</li></ol></li></ul>");
        assert_eq!(md, "- One\n- Two\n\n  1. a\n  2. b");
    }

    #[test]
    fn links_and_bare_urls() {
        let md = html_to_markdown(
            r#"<p>See <a href="https://docs.aws.amazon.com/x.html">the guide</a> or https://example.com/y.</p>"#,
        );
        assert_eq!(md, "See [the guide](<https://docs.aws.amazon.com/x.html>) or <https://example.com/y>.");
        // A relative link keeps only its text.
        assert_eq!(html_to_markdown(r#"<a href="foo.html">Foo</a>"#), "Foo");
    }

    #[test]
    fn notes_become_quotes() {
        let md = html_to_markdown("<note><p>Careful.</p><p>Really.</p></note>");
        assert_eq!(md, "> **Note:** Careful.\n>\n> Really.");
        assert_eq!(html_to_markdown("<important><p>X</p></important>"), "> **Important:** X");
    }

    #[test]
    fn entities_and_escapes() {
        let md = html_to_markdown("<p>Use &lt;function-name&gt; &amp; [region] *not* `x` &#x41;&#66;</p>");
        assert_eq!(md, r"Use \<function-name\> &amp; \[region\] \*not\* \`x\` AB");
        assert_eq!(decode_entities("a &bogus; b & c"), "a &bogus; b & c");
    }

    #[test]
    fn unclosed_and_stray_tags() {
        assert_eq!(html_to_markdown("<p>One<p>Two</b>"), "One\n\nTwo");
        assert_eq!(html_to_markdown("a < b and c > d"), r"a \< b and c \> d");
        assert_eq!(html_to_markdown("<p>Tail <b>bold"), "Tail **bold**");
        assert_eq!(html_to_markdown(""), "");
    }

    #[test]
    fn whitespace_and_line_starts() {
        assert_eq!(html_to_markdown("<p>   lots\n    of    space  </p>"), "lots of space");
        assert_eq!(
            html_to_markdown("<p>- not a list</p><p>1. nor this</p><p># nor</p>"),
            "\\- not a list\n\n1\\. nor this\n\n\\# nor"
        );
        assert_eq!(html_to_markdown("<p><b> spaced </b>out</p>"), "**spaced** out");
        assert_eq!(html_to_markdown("<p>a<br/>b</p>"), "a\n\nb");
    }

    #[test]
    fn code_with_backticks_and_pre() {
        assert_eq!(html_to_markdown("<code>a`b</code>"), "``a`b``");
        assert_eq!(html_to_markdown("<pre>fn main() {}\n</pre>"), "```text\nfn main() {}\n```");
    }

    #[test]
    fn first_sentence_stops_at_period() {
        assert_eq!(first_sentence("Returns the `a.b` value. More text."), "Returns the `a.b` value.");
        assert_eq!(first_sentence("No period"), "No period");
    }
}
