//! `circular-support`: `supports=` links that go round in a circle, so that a judgement ends up
//! resting on itself. It reads every claim's id and `supports=`. Claims that reach one another
//! through `supports=` (a strongly connected component of the graph) are reported once, at the
//! first of them in the document, naming every claim involved and one circle through them.

use super::Doc;
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::rules::{ClaimIds, FastMap};
use mica_syntax::{Claim, ValueKind};

/// The rule over a document's claims.
pub(crate) fn check(doc: Doc<'_>, claims: &[Claim], by_id: &ClaimIds<'_>) -> Vec<Diagnostic> {
    // Most briefs have no `supports=` at all: then there is no graph to build.
    if !claims
        .iter()
        .any(|c| c.attrs_named("supports").next().is_some())
    {
        return Vec::new();
    }
    // Edges with the attribute that makes them, duplicate claims' ids left to `duplicate-id`.
    let edges: Vec<Vec<(usize, &mica_syntax::Attr)>> = claims
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.attrs_named("supports")
                .filter_map(|a| match &a.value.kind {
                    ValueKind::Ref(t) => by_id.get(&**t).map(|&j| (j, a)),
                    _ => None,
                })
                .filter(|(j, _)| *j != i)
                .collect()
        })
        .collect();
    let graph: Vec<Vec<usize>> = edges
        .iter()
        .map(|e| e.iter().map(|(j, _)| *j).collect())
        .collect();
    let mut out = Vec::new();
    for mut component in strongly_connected(&graph) {
        if component.len() < 2 {
            continue;
        }
        component.sort_unstable();
        let first = component[0];
        let circle = circle_through(&graph, &component, first);
        let name = |i: usize| {
            claims[i]
                .id
                .as_ref()
                .map_or_else(|| "?".to_string(), |id| format!("#{}", id.name))
        };
        let path: Vec<String> = circle.iter().map(|&i| name(i)).collect();
        let others: Vec<String> = component
            .iter()
            .filter(|i| !circle.contains(i))
            .map(|&i| format!("`{}`", name(i)))
            .collect();
        let also = if others.is_empty() {
            String::new()
        } else {
            format!(" (and through {})", others.join(", "))
        };
        let message = format!(
            "these {} claims support each other in a circle: {} → {}{also}; a judgement cannot \
             rest on itself: remove the `supports=` that closes the circle",
            component.len(),
            path.join(" → "),
            name(first)
        );
        let in_component = |(j, _): &&(usize, &mica_syntax::Attr)| component.contains(j);
        let Some((_, attr)) = edges[first].iter().find(in_component) else {
            continue;
        };
        let mut d = Diagnostic::new(Code::CircularSupport, doc.path, attr.range(), message);
        for &i in &component[1..] {
            if let Some((_, a)) = edges[i].iter().find(in_component) {
                d.labels.push(Label::at(
                    doc.path,
                    a.range(),
                    format!("{} in the circle", name(i)),
                ));
            }
        }
        out.push(d);
    }
    out.sort_by_key(|d| d.location.range.start());
    out
}

/// Tarjan's algorithm, iteratively (a long chain of claims must not overflow the stack).
fn strongly_connected(graph: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = graph.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    let mut work: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        // A claim that supports nothing is a circle of one; most claims are.
        if index[root] != usize::MAX || graph[root].is_empty() {
            continue;
        }
        work.push((root, 0));
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = graph[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(component);
            }
        }
    }
    out
}

/// A shortest circle from `start` back to it inside `component` (breadth-first).
fn circle_through(graph: &[Vec<usize>], component: &[usize], start: usize) -> Vec<usize> {
    let mut parent: FastMap<usize, usize> = FastMap::default();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &graph[v] {
            if !component.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![v];
                let mut at = v;
                while at != start {
                    at = parent[&at];
                    path.push(at);
                }
                path.reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
}

#[cfg(test)]
mod tests {
    use super::*;
    use mica_syntax::parse;

    fn run(src: &str) -> Vec<String> {
        let p = parse(src);
        let mut ids = ClaimIds::default();
        for (i, c) in p.document.claims.iter().enumerate() {
            if let Some(id) = &c.id {
                ids.entry(id.name.as_str()).or_insert(i);
            }
        }
        check(
            Doc {
                path: "a.mica",
                text: src,
            },
            &p.document.claims,
            &ids,
        )
        .into_iter()
        .map(|d| d.message)
        .collect()
    }

    #[test]
    fn one_report_per_circle_naming_every_claim() {
        let r =
            run("[A]{#a supports=#b} [B]{#b supports=#c} [C]{#c supports=#a} [D]{#d supports=#a}");
        assert_eq!(r.len(), 1);
        assert!(
            r[0].contains("these 3 claims support each other in a circle: #a → #b → #c → #a"),
            "{}",
            r[0]
        );
        let r = run("[A]{#a supports=#b supports=#c} [B]{#b supports=#a} [C]{#c supports=#a}");
        assert_eq!(r.len(), 1);
        assert!(r[0].contains("#a → #b → #a (and through `#c`)"), "{}", r[0]);
        assert!(run("[A]{#a supports=#b} [B]{#b supports=#c} [C]{#c}").is_empty());
        assert!(
            run("[A]{#a supports=#a}").is_empty(),
            "self-support is invalid-value"
        );
        assert_eq!(
            run("[A]{#a supports=#b} [B]{#b supports=#a} [C]{#c supports=#d} [D]{#d supports=#c}")
                .len(),
            2
        );
    }

    #[test]
    fn long_chains_do_not_overflow() {
        let mut src = String::new();
        for i in 0..3_000 {
            src.push_str(&format!("[x]{{#c{i} supports=#c{}}}\n", i + 1));
        }
        src.push_str("[x]{#c3000 supports=#c0}\n");
        assert_eq!(run(&src).len(), 1);
    }
}
