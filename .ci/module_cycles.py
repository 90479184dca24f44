#!/usr/bin/env python3
"""List the import edges between sibling modules of a folder and the cycles among them.

A module here is a file `X.rs` or a folder `X/` (with its `mod.rs` and children) of the
folder under study. An edge A -> B means a file of A names a path into B: `crate::<folder
path>::B`, `super::B` (from a direct child file), or `super::super::B` (from a grandchild).
A name the folder's `mod.rs` re-exports (`pub use X::...::Name`) counts as a path into X
when a file names it through the folder (`crate::<folder path>::Name`), so a re-export
cannot hide an edge. Test files (`*tests.rs`, `tests/`) and `#[cfg(test)] mod` blocks are
left out: test modules may import anything.

The default folders are the codec folders of issue 16 and the folder level of the IMAP
codec itself (`src/imap`, whose nodes are its subfolders and files: `syntax`, `base`,
`ext`, `types`, `parse`, `emit`, the machines `client` and `server`, ...); on top of
having no cycle there, the codec must not depend on the machines (MACHINES below).
Usage: .ci/module_cycles.py [FOLDER ...]
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

def strip_test_modules(text):
    """Drops `#[cfg(test)]` inline modules (rustfmt-formatted: the block ends at the
    first line that is its own indentation plus `}`)."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        l = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if l.strip() == "#[cfg(test)]" and re.match(r"\s*(pub(\([a-z]+\))? )?mod [a-z_0-9]+ \{$", nxt):
            indent = nxt[: len(nxt) - len(nxt.lstrip())]
            j = i + 2
            while j < len(lines) and lines[j] != indent + "}":
                j += 1
            i = j + 1
            continue
        out.append(l)
        i += 1
    return "\n".join(out)

def reexports(folder):
    """Names `mod.rs` of the folder re-exports, mapped to the module they come from."""
    path = os.path.join(folder, "mod.rs")
    if not os.path.exists(path):
        return {}
    text = strip_comments(open(path).read())
    out = {}
    for first, rest in re.findall(r"pub use (?:self::)?([a-z_0-9]+)::([^;]*);", text):
        for name in re.findall(r"\b([A-Za-z_0-9]+)\b", rest.split("::{")[-1] if "{" in rest else rest.split("::")[-1]):
            out.setdefault(name, first)
    return out

def edges(folder):
    mods = modules(folder)
    crate_path = "crate::" + "::".join(folder.rstrip("/").split("/")[1:])
    names = set(mods)
    exported = reexports(folder)
    # a folder mod X.rs + X/ share the same name; a file X.rs with children X/*.rs too
    result = {}
    for m, files in mods.items():
        for f in files:
            if is_test(f):
                continue
            text = strip_test_modules(strip_comments(open(f).read()))
            # expand `use a::{b, c::{d}}` groups well enough: we only need the first segment after the folder
            depth = os.path.relpath(f, folder).count("/")  # 0: direct child, 1: grandchild ...
            if os.path.basename(f) == "mod.rs":
                depth -= 1
            targets = set()
            for t in re.findall(re.escape(crate_path) + r"::\{?([a-z_0-9]+)", text):
                targets.add(t)
            for grp in re.findall(re.escape(crate_path) + r"::\{([^}]*)", text):
                targets.update(re.findall(r"(?:^|,)\s*([a-z_0-9]+)", grp))
            for t in re.findall(re.escape(crate_path) + r"::([A-Z][A-Za-z_0-9]*|[a-z_0-9]+)\b(?!::)", text):
                if t in exported:
                    targets.add(exported[t])
            for grp in re.findall(re.escape(crate_path) + r"::\{([^}]*)", text):
                for t in re.findall(r"(?:^|,)\s*([A-Za-z_0-9]+)\s*(?=,|$)", grp):
                    if t in exported:
                        targets.add(exported[t])
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

# The IMAP machines: they may depend on the whole codec, the codec on none of them.
MACHINES = {"client", "server"}

def main():
    folders = sys.argv[1:] or [
        "src/imap", "src/imap/syntax", "src/imap/base",
        "src/imap/parse", "src/imap/types", "src/imap/emit", "src/imap/ext",
        "src/smtp", "src/pop3",
    ]
    total = 0
    for folder in folders:
        g = edges(folder)
        cs = cycles(g)
        total += len(cs)
        if folder.rstrip("/") == "src/imap":
            bad = sorted(f"{a} -> {b}" for a in g for b in g[a] if a not in MACHINES and b in MACHINES)
            if bad:
                print(f"== {folder}: the codec depends on a machine: {', '.join(bad)}")
                total += len(bad)
        print(f"== {folder}: {sum(len(v) for v in g.values())} edges, {len(cs)} cycle(s)")
        for a in sorted(g):
            print(f"   {a} -> {', '.join(sorted(g[a]))}")
        for c in cs:
            pairs = [f"{a}<->{b}" for a in c for b in c if a < b and b in g.get(a, ()) and a in g.get(b, ())]
            print(f"   CYCLE {{{', '.join(c)}}}" + (f"  mutual: {', '.join(pairs)}" if pairs else ""))
    sys.exit(1 if total else 0)

if __name__ == "__main__":
    main()
