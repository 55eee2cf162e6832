//! The argument map: the `supports`/`contradicts` graph of a brief's claims as inline SVG,
//! laid out in layers (judgements on top, the claims that bear on them below), each node a
//! link to its claim.
//!
//! The layout is a small Sugiyama-style one: a claim's layer is one more than the deepest layer
//! of the claims it points at, so every arrow points upward; nodes within a layer are ordered by
//! the barycentre of their neighbours over a few sweeps to cut crossings; a layer wider than
//! [`MAX_PER_ROW`] nodes wraps onto more rows so that the map stays readable with 60 claims.

use crate::html::escape;
use crate::model::{Report, icd_term};
use std::collections::HashMap;
use std::fmt::Write;

/// Most nodes side by side in one row.
pub const MAX_PER_ROW: usize = 4;
const NODE_W: f64 = 204.0;
const NODE_H: f64 = 102.0;
const H_GAP: f64 = 24.0;
const V_GAP: f64 = 50.0;
const MARGIN: f64 = 12.0;
/// Characters per line of a node's text.
const LINE_CHARS: usize = 27;
const TEXT_LINES: usize = 3;

/// How one claim bears on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// `supports=`.
    Supports,
    /// `contradicts=`.
    Contradicts,
}

/// An edge from the claim that declares the relation to the claim it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// The declaring claim.
    pub from: usize,
    /// The claim named.
    pub to: usize,
    /// Which relation.
    pub kind: Relation,
}

/// Every relation of the report that names a claim of the brief.
pub fn edges(report: &Report) -> Vec<Edge> {
    let mut out = Vec::new();
    for (i, c) in report.claims.iter().enumerate() {
        for (ids, kind) in [
            (&c.supports, Relation::Supports),
            (&c.contradicts, Relation::Contradicts),
        ] {
            for id in ids {
                if let Some(to) = report.claim_by_id(id)
                    && to != i
                {
                    out.push(Edge { from: i, to, kind });
                }
            }
        }
    }
    out
}

/// Where each node goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Claim index and top-left corner of each node.
    pub nodes: Vec<(usize, f64, f64)>,
    /// The drawing's width and height.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// Lay out the claims that take part in `edges`.
pub fn layout(claims: usize, edges: &[Edge]) -> Layout {
    let mut involved: Vec<usize> = edges.iter().flat_map(|e| [e.from, e.to]).collect();
    involved.sort_unstable();
    involved.dedup();
    let mut out_edges: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut in_edges: HashMap<usize, Vec<usize>> = HashMap::new();
    for e in edges {
        out_edges.entry(e.from).or_default().push(e.to);
        in_edges.entry(e.to).or_default().push(e.from);
    }
    // Longest path to a sink, with cycles broken where the search meets a node on its stack.
    let mut layer: Vec<Option<usize>> = vec![None; claims];
    let mut on_stack = vec![false; claims];
    fn depth(
        n: usize,
        out: &HashMap<usize, Vec<usize>>,
        layer: &mut [Option<usize>],
        on_stack: &mut [bool],
    ) -> usize {
        if let Some(l) = layer[n] {
            return l;
        }
        on_stack[n] = true;
        let mut l = 0;
        for &t in out.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
            if !on_stack[t] {
                l = l.max(depth(t, out, layer, on_stack) + 1);
            }
        }
        on_stack[n] = false;
        layer[n] = Some(l);
        l
    }
    for &n in &involved {
        depth(n, &out_edges, &mut layer, &mut on_stack);
    }
    let layers_n = involved
        .iter()
        .filter_map(|&n| layer[n])
        .max()
        .map_or(0, |m| m + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layers_n];
    for &n in &involved {
        if let Some(l) = layer[n] {
            layers[l].push(n);
        }
    }
    // Barycentre ordering: a few sweeps down (by the targets above) and up (by the sources below).
    let mut pos: Vec<f64> = vec![0.0; claims];
    let place = |layers: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for row in layers {
            for (k, &n) in row.iter().enumerate() {
                pos[n] = k as f64;
            }
        }
    };
    place(&layers, &mut pos);
    for _ in 0..4 {
        for l in 1..layers.len() {
            sort_by_barycentre(&mut layers[l], &out_edges, &pos);
            place(&layers, &mut pos);
        }
        for l in (0..layers.len().saturating_sub(1)).rev() {
            sort_by_barycentre(&mut layers[l], &in_edges, &pos);
            place(&layers, &mut pos);
        }
    }
    // Each connected component is a block of rows (its layers, each wrapped at MAX_PER_ROW);
    // blocks are packed left to right on shelves at most MAX_PER_ROW nodes wide, in the order
    // of their first claim, so that separate arguments stay apart and read top to bottom.
    let mut comp: Vec<Option<usize>> = vec![None; claims];
    let mut comps: Vec<Vec<usize>> = Vec::new();
    for &n in &involved {
        if comp[n].is_some() {
            continue;
        }
        let id = comps.len();
        let mut members = vec![n];
        comp[n] = Some(id);
        let mut k = 0;
        while k < members.len() {
            let m = members[k];
            k += 1;
            for e in edges.iter().filter(|e| e.from == m || e.to == m) {
                let other = if e.from == m { e.to } else { e.from };
                if comp[other].is_none() {
                    comp[other] = Some(id);
                    members.push(other);
                }
            }
        }
        comps.push(members);
    }
    // A block's rows: its part of each layer, in the layer's order, wrapped.
    let blocks: Vec<Vec<Vec<usize>>> = (0..comps.len())
        .map(|id| {
            layers
                .iter()
                .map(|row| {
                    row.iter()
                        .copied()
                        .filter(|&n| comp[n] == Some(id))
                        .collect::<Vec<_>>()
                })
                .filter(|row| !row.is_empty())
                .flat_map(|row| {
                    row.chunks(MAX_PER_ROW)
                        .map(<[usize]>::to_vec)
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .collect();
    let mut shelves: Vec<Vec<usize>> = Vec::new();
    let mut used = MAX_PER_ROW;
    for (id, b) in blocks.iter().enumerate() {
        let w = b.iter().map(Vec::len).max().unwrap_or(1);
        if used + w > MAX_PER_ROW {
            shelves.push(Vec::new());
            used = 0;
        }
        shelves.last_mut().expect("a shelf").push(id);
        used += w;
    }
    let col_w = NODE_W + H_GAP;
    let row_h = NODE_H + V_GAP;
    let widest = shelves
        .iter()
        .map(|s| {
            s.iter()
                .map(|&id| blocks[id].iter().map(Vec::len).max().unwrap_or(1))
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0) as f64;
    let width = 2.0 * MARGIN + widest * NODE_W + (widest - 1.0).max(0.0) * H_GAP;
    let mut nodes = Vec::with_capacity(involved.len());
    let mut y0 = MARGIN;
    for shelf in &shelves {
        let cols: usize = shelf
            .iter()
            .map(|&id| blocks[id].iter().map(Vec::len).max().unwrap_or(1))
            .sum();
        let mut x0 = MARGIN + (width - 2.0 * MARGIN - (cols as f64 * col_w - H_GAP)) / 2.0;
        let mut rows_here = 0;
        for &id in shelf {
            let b = &blocks[id];
            let bw = b.iter().map(Vec::len).max().unwrap_or(1);
            for (r, row) in b.iter().enumerate() {
                let offset = (bw - row.len()) as f64 * col_w / 2.0;
                for (k, &n) in row.iter().enumerate() {
                    nodes.push((n, x0 + offset + k as f64 * col_w, y0 + r as f64 * row_h));
                }
            }
            rows_here = rows_here.max(b.len());
            x0 += bw as f64 * col_w;
        }
        y0 += rows_here as f64 * row_h;
    }
    let height = if shelves.is_empty() {
        0.0
    } else {
        y0 - V_GAP + MARGIN
    };
    Layout {
        nodes,
        width,
        height,
    }
}

fn sort_by_barycentre(row: &mut [usize], neighbours: &HashMap<usize, Vec<usize>>, pos: &[f64]) {
    let key = |n: usize| -> f64 {
        match neighbours.get(&n) {
            Some(v) if !v.is_empty() => v.iter().map(|&m| pos[m]).sum::<f64>() / v.len() as f64,
            _ => pos[n],
        }
    };
    let mut keyed: Vec<(f64, usize)> = row.iter().map(|&n| (key(n), n)).collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (slot, (_, n)) in row.iter_mut().zip(keyed) {
        *slot = n;
    }
}

/// Break `text` into at most `lines` lines of about `width` characters at spaces, ending with
/// `…` when it does not fit.
fn wrap(text: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    for w in &words {
        let fits = cur.chars().count() + 1 + w.chars().count() <= width;
        if cur.is_empty() || fits {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(w);
            continue;
        }
        out.push(std::mem::take(&mut cur));
        if out.len() == lines {
            let last = out.last_mut().expect("one line at least");
            *last = ellipsis(last, width);
            return out;
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    for l in &mut out {
        if l.chars().count() > width {
            *l = ellipsis(l, width);
        }
    }
    out
}

fn ellipsis(line: &str, width: usize) -> String {
    let keep: String = line.chars().take(width.saturating_sub(1)).collect();
    format!("{}…", keep.trim_end_matches([' ', ',', ';', ':']))
}

/// The argument map as an inline `<svg>` element, or `None` when no claim names another.
pub fn svg(report: &Report) -> Option<String> {
    let edges = edges(report);
    if edges.is_empty() {
        return None;
    }
    let lay = layout(report.claims.len(), &edges);
    let at: HashMap<usize, (f64, f64)> = lay.nodes.iter().map(|&(n, x, y)| (n, (x, y))).collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-labelledby="map-title"><title id="map-title">Argument map: which claims support or contradict which</title>"#,
        w = lay.width,
        h = lay.height
    );
    s.push_str(
        r##"<defs><marker id="arrow-s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#3b6e8f"/></marker><marker id="arrow-c" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b3261e"/></marker></defs>"##,
    );
    s.push_str(r#"<g class="edges">"#);
    for e in &edges {
        let (Some(&(fx, fy)), Some(&(tx, ty))) = (at.get(&e.from), at.get(&e.to)) else {
            continue;
        };
        let (x1, x2) = (fx + NODE_W / 2.0, tx + NODE_W / 2.0);
        // Arrows leave a node's top and enter the target's bottom; a target below (a broken
        // cycle) is entered from the top instead.
        let (y1, y2) = if ty < fy {
            (fy, ty + NODE_H)
        } else {
            (fy + NODE_H, ty)
        };
        let bend = ((y1 - y2).abs() / 2.0).max(30.0);
        let (c1, c2) = if ty < fy {
            (y1 - bend, y2 + bend)
        } else {
            (y1 + bend, y2 - bend)
        };
        let (class, marker) = match e.kind {
            Relation::Supports => ("supports", "arrow-s"),
            Relation::Contradicts => ("contradicts", "arrow-c"),
        };
        let _ = write!(
            s,
            r#"<path class="edge {class}" d="M{x1:.1},{y1:.1} C{x1:.1},{c1:.1} {x2:.1},{c2:.1} {x2:.1},{y2:.1}" marker-end="url(#{marker})"><title>{from} {verb} {to}</title></path>"#,
            from = escape(report.claims[e.from].id.as_deref().unwrap_or("claim")),
            to = escape(report.claims[e.to].id.as_deref().unwrap_or("claim")),
            verb = if e.kind == Relation::Supports {
                "supports"
            } else {
                "contradicts"
            }
        );
    }
    s.push_str("</g>");
    s.push_str(r#"<g class="nodes">"#);
    for &(n, x, y) in &lay.nodes {
        let c = &report.claims[n];
        let conf_class = c.conf_class();
        let conf = conf_class;
        let flagged = match c.worst(report) {
            Some(mica_check::Severity::Error) => " flagged",
            _ => "",
        };
        let label = c.id.as_deref().unwrap_or(&c.anchor);
        let badge = {
            let conf_short = match conf {
                "high" => "high",
                "moderate" => "moderate",
                "low" => "low",
                _ => "",
            };
            let p = c
                .likelihood
                .as_ref()
                .and_then(icd_term)
                .map(|(t, lo, hi)| format!("{} {lo}–{hi}%", t.replace('-', " ")))
                .unwrap_or_default();
            match (conf_short.is_empty(), p.is_empty()) {
                (false, false) => format!("{conf_short} · {p}"),
                (false, true) => format!("{conf_short} confidence"),
                (true, false) => p,
                (true, true) => String::new(),
            }
        };
        let _ = write!(
            s,
            r##"<a class="node conf-{conf_class}{flagged}" href="#{anchor}" data-claim="{anchor}"><title>{title}</title><rect x="{x:.1}" y="{y:.1}" width="{NODE_W}" height="{NODE_H}" rx="6"/><rect class="bar" x="{x:.1}" y="{y:.1}" width="6" height="{NODE_H}" rx="3"/><text class="id" x="{tx:.1}" y="{ty:.1}">{label}</text><text class="badge" x="{tx:.1}" y="{by:.1}">{badge}</text>"##,
            anchor = escape(&c.anchor),
            title = escape(&c.text),
            label = escape(&ellipsis_fit(label, 26)),
            badge = escape(&badge),
            tx = x + 14.0,
            ty = y + 20.0,
            by = y + NODE_H - 10.0,
        );
        s.push_str(&format!(
            r#"<text class="txt" x="{:.1}" y="{:.1}">"#,
            x + 14.0,
            y + 40.0
        ));
        for (k, line) in wrap(&c.text, LINE_CHARS, TEXT_LINES).iter().enumerate() {
            let _ = write!(
                s,
                r#"<tspan x="{:.1}" dy="{}">{}</tspan>"#,
                x + 14.0,
                if k == 0 { 0 } else { 16 },
                escape(line)
            );
        }
        s.push_str("</text></a>");
    }
    s.push_str("</g></svg>");
    Some(s)
}

fn ellipsis_fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        ellipsis(s, width)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A brief of 60 claims: 6 judgements, each supported by 6 claims, each of those by one
    /// more, plus a few contradictions.
    fn sixty() -> Vec<Edge> {
        let mut e = Vec::new();
        for j in 0..6 {
            for k in 0..6 {
                let mid = 6 + j * 6 + k;
                e.push(Edge {
                    from: mid,
                    to: j,
                    kind: Relation::Supports,
                });
                if mid + 24 < 60 && k < 4 {
                    e.push(Edge {
                        from: mid + 24,
                        to: mid,
                        kind: Relation::Contradicts,
                    });
                }
            }
        }
        e
    }

    #[test]
    fn every_arrow_points_up_and_no_nodes_overlap_at_sixty_claims() {
        let edges = sixty();
        let lay = layout(60, &edges);
        let at: HashMap<usize, (f64, f64)> =
            lay.nodes.iter().map(|&(n, x, y)| (n, (x, y))).collect();
        assert!(lay.nodes.len() >= 40, "{}", lay.nodes.len());
        for e in &edges {
            assert!(at[&e.to].1 < at[&e.from].1, "{e:?} does not point up");
        }
        for (i, a) in lay.nodes.iter().enumerate() {
            for b in &lay.nodes[i + 1..] {
                let apart = (a.1 - b.1).abs() >= NODE_W || (a.2 - b.2).abs() >= NODE_H;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        // Wrapped rows keep the map no wider than MAX_PER_ROW nodes.
        let max_w = 2.0 * MARGIN + MAX_PER_ROW as f64 * NODE_W + (MAX_PER_ROW as f64 - 1.0) * H_GAP;
        assert!(lay.width <= max_w + 0.1, "{}", lay.width);
    }

    #[test]
    fn a_cycle_is_broken_not_looped() {
        let e = |from, to| Edge {
            from,
            to,
            kind: Relation::Supports,
        };
        let lay = layout(3, &[e(0, 1), e(1, 2), e(2, 0)]);
        assert_eq!(lay.nodes.len(), 3);
    }

    #[test]
    fn wrapping_ends_with_an_ellipsis_when_text_is_too_long() {
        let lines = wrap(&"word ".repeat(40), 20, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'));
        assert!(lines.iter().all(|l| l.chars().count() <= 20));
        assert_eq!(wrap("short text", 20, 3), vec!["short text".to_string()]);
    }
}
