//! The layering check (issue 15, "dependencies point down"): reads the source of `server/src`
//! and `app/src`, lists which top-level modules each module imports (`crate::X`, and `super::X`
//! from a top-level file), and fails when
//!
//! * any module but `main.rs`/`lib.rs` imports `startup` (it assembles everything, so nothing
//!   may depend on it);
//! * a module other than `staff` and `startup` imports `staff` (public features never reach into
//!   the staff portal);
//! * the form engine (`app/src/forms` and `server/src/forms`, less the forms themselves)
//!   imports a particular form's module (a module under `forms/` that defines a `FormSpec`, or
//!   the server's module of the same name);
//! * top-level modules import one another in a circle (each cycle is printed).
//!
//! Violations that belong to another team's part of the refactor are listed in [`KNOWN`] with
//! who owns them; they are printed on every run, and the check also fails when one of them is
//! gone (so the list only shrinks). `scripts/check-layers.sh` runs this test and shows the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// Violations still in the tree, each with the team whose move removes it. Nothing here is
/// silent: every run prints them.
const KNOWN: &[(&str, &str)] = &[(
    "server: directory, state import one another in a circle, e.g. directory → state → directory",
    "not between features: AppState (state.rs) holds the directory's results cache and search \
     log, which only the directory reads; they could become request extensions that \
     directory::routes adds, leaving state.rs with nothing but shared parts",
)];

/// A directed import graph between top-level modules: module → modules it imports.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// One source file: its crate (`server` or `app`), its top-level module, whether it is the
/// top-level module's own file, and its text without comments.
struct Source {
    krate: &'static str,
    module: String,
    path: PathBuf,
    top_file: bool,
    text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Violation {
    ImportsStartup {
        krate: String,
        module: String,
    },
    ImportsStaff {
        krate: String,
        module: String,
    },
    ImportsRetention {
        krate: String,
        module: String,
    },
    EngineImportsForm {
        file: String,
        form: String,
    },
    Cycle {
        krate: String,
        /// Every module of the circle (a strongly connected component), sorted.
        members: Vec<String>,
        /// One way round it, to read.
        path: Vec<String>,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ImportsStartup { krate, module } => write!(
                f,
                "{krate}: `{module}` imports `startup` (only main.rs and lib.rs may; move what it \
                 needs below the features, e.g. `state` or `settings`)"
            ),
            Self::ImportsStaff { krate, module } => write!(
                f,
                "{krate}: `{module}` imports `staff` (a public feature must not reach into the \
                 staff portal; move the shared part down, e.g. into `cases` or `web`)"
            ),
            Self::ImportsRetention { krate, module } => write!(
                f,
                "{krate}: `{module}` imports `retention` (it runs every feature's purge, so only \
                 startup may; give the feature a purge function for retention to call)"
            ),
            Self::EngineImportsForm { file, form } => write!(
                f,
                "{file}: the form engine imports the form `{form}` (the form must supply what \
                 the engine needs, e.g. its own finish step)"
            ),
            Self::Cycle {
                krate,
                members,
                path,
            } => write!(
                f,
                "{krate}: {} import one another in a circle, e.g. {} → {}",
                members.join(", "),
                path.join(" → "),
                path.first().map(String::as_str).unwrap_or_default()
            ),
        }
    }
}

fn main_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The text without `//` comments (so doc comments naming a module do not count).
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // Not inside a string such as "http://": only when the quotes before it balance.
            Some(i) if line[..i].matches('"').count() % 2 == 0 => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn read_crate(krate: &'static str, src: &Path) -> Vec<Source> {
    rust_files(src)
        .into_iter()
        .filter_map(|path| {
            let rel = path.strip_prefix(src).ok()?.to_path_buf();
            let parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let first = parts.first()?.trim_end_matches(".rs").to_owned();
            let top_file = parts.len() == 1 || (parts.len() == 2 && parts[1] == "mod.rs");
            let text = strip_comments(&fs::read_to_string(&path).ok()?);
            Some(Source {
                krate,
                module: first,
                path,
                top_file,
                text,
            })
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The names right after `prefix` (`crate::X`, `super::X`), including those in a braced list
/// right after it (`use crate::{a, b::c}`).
fn names_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(is_ident) {
            continue;
        }
        if let Some(list) = rest.strip_prefix('{') {
            // Top-level items of the list: split on commas outside nested braces.
            let mut depth = 0;
            let mut item = String::new();
            for c in list.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(first_ident(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    item.push(c);
                }
            }
            out.insert(first_ident(&item));
        } else {
            out.insert(first_ident(rest));
        }
    }
    out.retain(|n| !n.is_empty() && n != "self");
    out
}

fn first_ident(text: &str) -> String {
    text.trim_start()
        .chars()
        .take_while(|c| is_ident(*c))
        .collect()
}

/// The top-level modules a file imports (in its own crate).
fn imports(source: &Source, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut names = names_after(&source.text, "crate::");
    if source.top_file {
        names.extend(names_after(&source.text, "super::"));
    }
    names
        .into_iter()
        .filter(|n| modules.contains(n) && *n != source.module)
        .collect()
}

fn graph_of(sources: &[Source], krate: &str) -> Graph {
    let modules: BTreeSet<String> = sources
        .iter()
        .filter(|s| s.krate == krate)
        .map(|s| s.module.clone())
        .collect();
    let mut graph = Graph::new();
    for s in sources.iter().filter(|s| s.krate == krate) {
        let entry = graph.entry(s.module.clone()).or_default();
        entry.extend(imports(s, &modules));
    }
    graph
}

/// Strongly connected components with more than one module (Tarjan): each as its sorted
/// members and one cycle through them.
fn cycles(graph: &Graph) -> Vec<(Vec<String>, Vec<String>)> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        next: usize,
        found: Vec<(Vec<String>, Vec<String>)>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.insert(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                let members = component.iter().map(|m| (*m).to_owned()).collect();
                s.found.push((members, cycle_path(s.graph, &component)));
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found.sort();
    state.found
}

/// One circle through the component's first module (breadth-first back to it), to print.
fn cycle_path(graph: &Graph, component: &BTreeSet<&str>) -> Vec<String> {
    let Some(start) = component.iter().next().copied() else {
        return Vec::new();
    };
    let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !component.contains(w) {
                continue;
            }
            if w == start {
                let mut path = vec![v.to_owned()];
                let mut at = v;
                while at != start {
                    at = previous[at];
                    path.push(at.to_owned());
                }
                path.reverse();
                return path;
            }
            if !previous.contains_key(w) {
                previous.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    component.iter().map(|s| (*s).to_owned()).collect()
}

/// The module-level rules and the cycles of one crate's graph.
fn check_graph(krate: &str, graph: &Graph) -> Vec<Violation> {
    let mut found = Vec::new();
    for (module, imported) in graph {
        let assembler = matches!(module.as_str(), "main" | "lib");
        if imported.contains("startup") && !assembler {
            found.push(Violation::ImportsStartup {
                krate: krate.to_owned(),
                module: module.clone(),
            });
        }
        // `retention` sits at the top beside `startup`: it runs every feature's purge.
        let may_import_staff =
            assembler || matches!(module.as_str(), "staff" | "startup" | "retention");
        if imported.contains("staff") && !may_import_staff {
            found.push(Violation::ImportsStaff {
                krate: krate.to_owned(),
                module: module.clone(),
            });
        }
    }
    // Nothing below the top imports `retention` (it imports the features).
    for (module, imported) in graph {
        let top = matches!(module.as_str(), "main" | "lib" | "startup");
        if imported.contains("retention") && !top {
            found.push(Violation::ImportsRetention {
                krate: krate.to_owned(),
                module: module.clone(),
            });
        }
    }
    // Cycles among the modules below the assemblers.
    let below: Graph = graph
        .iter()
        .filter(|(m, _)| !matches!(m.as_str(), "main" | "lib" | "startup" | "retention"))
        .map(|(m, i)| (m.clone(), i.clone()))
        .collect();
    for (members, path) in cycles(&below) {
        found.push(Violation::Cycle {
            krate: krate.to_owned(),
            members,
            path,
        });
    }
    found
}

/// The names of the particular forms: files under a `forms/` folder that define a `FormSpec`.
fn form_names(sources: &[Source]) -> BTreeSet<String> {
    sources
        .iter()
        .filter(|s| s.krate == "app" && s.module == "forms")
        .filter(|s| s.text.contains("FormSpec = FormSpec {"))
        .filter_map(|s| Some(s.path.file_stem()?.to_string_lossy().into_owned()))
        .collect()
}

/// The engine's files in `krate`: under `forms/`, not a form's own file or folder, not tests.
fn engine_violations(
    sources: &[Source],
    krate: &str,
    root: &Path,
    forms: &BTreeSet<String>,
) -> Vec<Violation> {
    let mut found = Vec::new();
    for s in sources
        .iter()
        .filter(|s| s.krate == krate && s.module == "forms")
    {
        let rel = s.path.strip_prefix(root).unwrap_or(&s.path);
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        let inside_form = parts.iter().any(|p| forms.contains(p));
        let test = parts.iter().any(|p| p == "tests");
        if inside_form || test {
            continue;
        }
        let mut named = names_after(&s.text, "super::");
        named.extend(names_after(&s.text, "forms::"));
        if s.top_file {
            // In forms/mod.rs, a form is a child module: `early_help::X` or `use early_help`.
            for form in forms {
                if s.text.contains(&format!("{form}::")) {
                    named.insert(form.clone());
                }
            }
        }
        if s.krate == "server" {
            // The server's engine must not import the server's module of a form either.
            named.extend(names_after(&s.text, "crate::"));
        }
        for form in named.intersection(forms) {
            found.push(Violation::EngineImportsForm {
                file: format!("{krate}/src/{}", rel.display()),
                form: form.clone(),
            });
        }
    }
    found
}

fn print_graph(krate: &str, graph: &Graph) {
    println!("{krate}: imports per top-level module");
    for (module, imported) in graph {
        let list: Vec<&str> = imported.iter().map(String::as_str).collect();
        println!("  {module:<14} → {}", list.join(", "));
    }
}

#[test]
fn dependencies_point_down() {
    let root = main_dir().join("..");
    let server_src = root.join("server/src");
    let app_src = root.join("app/src");
    let mut sources = read_crate("server", &server_src);
    sources.extend(read_crate("app", &app_src));
    assert!(
        sources.len() > 50,
        "no sources found under {}",
        root.display()
    );

    let mut found = Vec::new();
    for krate in ["server", "app"] {
        let graph = graph_of(&sources, krate);
        print_graph(krate, &graph);
        found.extend(check_graph(krate, &graph));
    }
    // The particular forms are the app's (`app/src/forms/*.rs` with a `FormSpec`); the server's
    // modules of the same names (`early_help`, `carers`) are theirs too.
    let forms = form_names(&sources);
    found.extend(engine_violations(&sources, "app", &app_src, &forms));
    found.extend(engine_violations(&sources, "server", &server_src, &forms));
    found.sort();
    found.dedup();

    let messages: Vec<String> = found.iter().map(ToString::to_string).collect();
    let known: BTreeSet<&str> = KNOWN.iter().map(|(m, _)| *m).collect();
    for (message, owner) in KNOWN {
        if messages.iter().any(|m| m == message) {
            println!("KNOWN VIOLATION (to be removed by {owner}): {message}");
        }
    }
    let new: Vec<&String> = messages
        .iter()
        .filter(|m| !known.contains(m.as_str()))
        .collect();
    let gone: Vec<&str> = KNOWN
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| !messages.iter().any(|f| f == m))
        .collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "layering check failed.\n\nviolations:\n  {}\n\nfixed, so remove them from KNOWN in \
         server/tests/layers.rs:\n  {}\n",
        if new.is_empty() {
            "(none)".to_owned()
        } else {
            new.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  ")
        },
        if gone.is_empty() {
            "(none)".to_owned()
        } else {
            gone.join("\n  ")
        },
    );
}

#[cfg(test)]
mod checker {
    use super::*;

    fn graph(edges: &[(&str, &str)]) -> Graph {
        let mut g = Graph::new();
        for (from, to) in edges {
            g.entry((*from).to_owned())
                .or_default()
                .insert((*to).to_owned());
            g.entry((*to).to_owned()).or_default();
        }
        g
    }

    #[test]
    fn finds_a_cycle_and_prints_it() {
        let g = graph(&[
            ("directory", "state"),
            ("state", "clock"),
            ("staff", "early_help"),
            ("early_help", "cases"),
            ("cases", "staff"),
        ]);
        let found = check_graph("server", &g);
        let cycle = Violation::Cycle {
            krate: "server".into(),
            members: vec!["cases".into(), "early_help".into(), "staff".into()],
            path: vec!["cases".into(), "staff".into(), "early_help".into()],
        };
        assert!(found.contains(&cycle), "{found:?}");
        assert_eq!(
            cycle.to_string(),
            "server: cases, early_help, staff import one another in a circle, e.g. \
             cases → staff → early_help → cases"
        );
    }

    #[test]
    fn startup_and_staff_are_off_limits() {
        let g = graph(&[
            ("main", "startup"),
            ("startup", "staff"),
            ("directory", "startup"),
            ("carers", "staff"),
        ]);
        let found = check_graph("server", &g);
        assert!(found.contains(&Violation::ImportsStartup {
            krate: "server".into(),
            module: "directory".into()
        }));
        assert!(found.contains(&Violation::ImportsStaff {
            krate: "server".into(),
            module: "carers".into()
        }));
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn a_clean_graph_passes() {
        let g = graph(&[
            ("main", "startup"),
            ("startup", "directory"),
            ("directory", "state"),
            ("state", "clock"),
        ]);
        assert!(check_graph("server", &g).is_empty());
    }

    #[test]
    fn imports_are_read_from_use_lists_and_paths() {
        let text = strip_comments(
            "use crate::{clock, web::cookie::{self, token}};\n\
             // use crate::staff;\n\
             let x = crate::state::AppState::new(\"http://a\");\n\
             use super::startup;",
        );
        assert_eq!(
            names_after(&text, "crate::"),
            BTreeSet::from(["clock".into(), "web".into(), "state".into()])
        );
        assert_eq!(
            names_after(&text, "super::"),
            BTreeSet::from(["startup".to_owned()])
        );
    }
}
