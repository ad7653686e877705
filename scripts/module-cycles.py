#!/usr/bin/env python3
"""Fails when a module of a crate imports another module that (directly or through others) imports
it back — the house rule "no module imports a module that imports it back".

A file's imports are the `crate::…` and `super::…` paths it names outside its `#[cfg(test)]` module,
each resolved to the deepest module file the path reaches. A parent declaring or re-exporting its
children (`mod x;`, `pub use x::Y;`) is not an import. Usage: module-cycles.py CRATE_SRC_DIR...
"""
import re
import sys
from pathlib import Path


def module_of(src: Path, f: Path) -> tuple:
    parts = list(f.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def strip(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    # A unit-test module's imports are not the module's: cut each `#[cfg(test)] mod x { … }`.
    while True:
        m = re.search(r"#\[cfg\(test\)\]\s*(pub\s+)?mod\s+\w+\s*\{", text)
        if not m:
            return text
        depth, i = 0, m.end() - 1
        while i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                break
            i += 1
        text = text[: m.start()] + text[i + 1 :]


def expand(tree: str) -> list:
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']."""
    tree = tree.strip()
    if not tree:
        return []
    i = tree.find("{")
    if i < 0:
        return [tree]
    prefix, inner = tree[:i], tree[i + 1 : tree.rfind("}")]
    items, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    out = []
    for it in items:
        for e in expand(it):
            out.append(prefix + e if e != "self" else prefix.rstrip(":"))
    return out


def paths(text: str) -> list:
    found, aliases = [], {}
    for m in re.finditer(r"(?<![\w:])(pub(\([^)]*\))?\s+)?use\s+([^;]+);", text):
        if m.group(1):  # a re-export, not an import
            continue
        tree = re.sub(r"\s+as\s+", "\x00", m.group(3))
        for p in expand(re.sub(r"\s+", "", tree).replace("\x00", " as ")):
            alias = None
            if " as " in p:
                p, alias = p.split(" as ")
            p = p.strip()
            found.append(p)
            aliases[alias or p.split("::")[-1]] = p
    body = re.sub(r"(?<![\w:])(pub(\([^)]*\))?\s+)?use\s+[^;]+;", "", text)
    found += re.findall(r"(?<![\w:])((?:crate|super)(?:::\w+)+)", body)
    # `use crate::routes;` then `routes::ops::healthz`: the path through the alias.
    for name, full in aliases.items():
        if not full.startswith(("crate", "super")):
            continue
        for rest in re.findall(r"(?<![\w:])" + re.escape(name) + r"((?:::\w+)+)", body):
            found.append(full + rest)
    return found


def resolve(mod: tuple, is_dir_mod: bool, path: str, modules: set):
    segs = path.split("::")
    if segs[0] == "crate":
        base, rest = (), segs[1:]
    elif segs[0] == "super":
        n = 0
        while n < len(segs) and segs[n] == "super":
            n += 1
        # `super` of a file module is its parent; a mod.rs module is its directory, whose
        # `super` is the directory's parent — both are `mod` minus one segment per `super`.
        base = mod[: max(len(mod) - n, 0)]
        rest = segs[n:]
    else:
        return None
    target = base
    for s in rest:
        if target + (s,) in modules:
            target = target + (s,)
        else:
            break
    return target


def cycles(src: Path) -> list:
    files = [f for f in src.rglob("*.rs")]
    modules = {module_of(src, f): f for f in files}
    edges = {m: set() for m in modules}
    for m, f in modules.items():
        is_dir_mod = f.name in ("mod.rs", "lib.rs", "main.rs")
        for p in paths(strip(f.read_text())):
            t = resolve(m, is_dir_mod, p, set(modules))
            if t is None or t == m or t not in modules:
                continue
            # A child naming its own ancestors' items is how Rust modules share; a parent naming its
            # descendants is declaring them. Neither is a circle by itself; circles between
            # siblings (and their subtrees) are what this finds.
            if t == m[: len(t)] or m == t[: len(m)]:
                continue
            edges[m].add(t)
    # Tarjan's strongly connected components.
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in modules:
        if v not in index:
            visit(v)
    return [[ "::".join(c) or "crate" for c in comp] for comp in out], edges


def main():
    bad = False
    for d in sys.argv[1:]:
        found, edges = cycles(Path(d))
        for comp in found:
            bad = True
            print(f"{d}: modules that import each other: {', '.join(comp)}")
            members = set(tuple(c.split("::")) for c in comp)
            for m in sorted(members):
                back = sorted("::".join(t) for t in edges[m] if t in members)
                print(f"    {'::'.join(m)} -> {', '.join(back)}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
