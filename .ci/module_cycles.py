#!/usr/bin/env python3
"""List the import edges between sibling modules of a folder and the cycles among them.

A module here is a file `X.rs` or a folder `X/` (with its `mod.rs` and children) of the
folder under study. An edge A -> B means a file of A names a path into B: `crate::<folder
path>::B`, `super::B` (from a direct child file), or `super::super::B` (from a grandchild).
Test files (`*tests.rs`, `tests/`) are left out: test modules may import anything.
Usage: .ci/module_cycles.py [FOLDER ...]  (default: the four codec folders of issue 16)
"""
import os, re, sys

def modules(folder):
    out = {}
    for name in sorted(os.listdir(folder)):
        p = os.path.join(folder, name)
        if name == "mod.rs":
            continue
        if name.endswith(".rs"):
            out.setdefault(name[:-3], []).append(p)
        elif os.path.isdir(p):
            for root, _, files in os.walk(p):
                for f in files:
                    if f.endswith(".rs"):
                        out.setdefault(name, []).append(os.path.join(root, f))
    return out

def is_test(path):
    return path.endswith("tests.rs") or "/tests/" in path

def strip_comments(text):
    return "\n".join(l.split("//")[0] for l in text.splitlines())

def edges(folder):
    mods = modules(folder)
    crate_path = "crate::" + "::".join(folder.rstrip("/").split("/")[1:])
    names = set(mods)
    # a folder mod X.rs + X/ share the same name; a file X.rs with children X/*.rs too
    result = {}
    for m, files in mods.items():
        for f in files:
            if is_test(f):
                continue
            text = strip_comments(open(f).read())
            # expand `use a::{b, c::{d}}` groups well enough: we only need the first segment after the folder
            depth = os.path.relpath(f, folder).count("/")  # 0: direct child, 1: grandchild ...
            if os.path.basename(f) == "mod.rs":
                depth -= 1
            targets = set()
            for t in re.findall(re.escape(crate_path) + r"::\{?([a-z_0-9]+)", text):
                targets.add(t)
            for grp in re.findall(re.escape(crate_path) + r"::\{([^}]*)", text):
                targets.update(re.findall(r"(?:^|,)\s*([a-z_0-9]+)", grp))
            sup = "super::" * (depth + 1)
            for t in re.findall(r"(?<![a-z_:])" + re.escape(sup) + r"\{?([a-z_0-9]+)", text):
                targets.add(t)
            for grp in re.findall(r"(?<![a-z_:])" + re.escape(sup) + r"\{([^}]*)", text):
                targets.update(re.findall(r"(?:^|,)\s*([a-z_0-9]+)", grp))
            for t in targets:
                if t in names and t != m:
                    result.setdefault(m, set()).add(t)
    return result

def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1:
                out.append(sorted(comp))
    for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if v not in index:
            visit(v)
    return out

def main():
    folders = sys.argv[1:] or [
        "src/imap/parse", "src/imap/types", "src/imap/emit", "src/imap/ext", "src/imap/base",
        "src/smtp", "src/pop3",
    ]
    total = 0
    for folder in folders:
        g = edges(folder)
        cs = cycles(g)
        total += len(cs)
        print(f"== {folder}: {sum(len(v) for v in g.values())} edges, {len(cs)} cycle(s)")
        for a in sorted(g):
            print(f"   {a} -> {', '.join(sorted(g[a]))}")
        for c in cs:
            pairs = [f"{a}<->{b}" for a in c for b in c if a < b and b in g.get(a, ()) and a in g.get(b, ())]
            print(f"   CYCLE {{{', '.join(c)}}}" + (f"  mutual: {', '.join(pairs)}" if pairs else ""))
    sys.exit(1 if total else 0)

if __name__ == "__main__":
    main()
