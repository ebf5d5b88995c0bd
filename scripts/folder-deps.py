#!/usr/bin/env python3
"""Folder dependency graph of a C# project, and its cycles.

Usage: scripts/folder-deps.py [PROJECT_DIR] [ROOT_NAMESPACE]
       (default: gateway/IoTMonitor.Gateway IoTMonitor.Gateway)

A folder is a top-level folder of the project; files at the project root form "(root)". Folder A
depends on folder B when a file in A has `using ROOT.B...;` or names ROOT.B... in full, or when B is
"(root)" and a file in A uses a type declared at the root, or names B.Type (which code inside the
root namespace resolves without a using) (every folder sees the root namespace
without a using). Prints each folder with what it depends on, then the cycles (strongly connected
groups of more than one folder). Exit code 1 when there is a cycle, 0 otherwise.
"""
import os
import re
import sys

ROOT = "(root)"


def cs_files(project):
    for dirpath, dirnames, filenames in os.walk(project):
        dirnames[:] = [d for d in dirnames if d not in ("bin", "obj", "wwwroot")]
        for name in filenames:
            if name.endswith(".cs"):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, project)
                folder = rel.split(os.sep)[0] if os.sep in rel else ROOT
                yield folder, path


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def graph(project, namespace):
    files = list(cs_files(project))
    texts = {path: strip_comments(open(path, encoding="utf-8").read()) for _, path in files}
    folders = sorted({folder for folder, _ in files})
    declared = {f: set() for f in folders}
    for folder, path in files:
        declared[folder].update(re.findall(r"\b(?:class|struct|record|interface|enum)\s+(\w+)", texts[path]))
    root_types = declared.get(ROOT, set())
    # Folder.Type without a using: code inside ROOT.X resolves ROOT.Folder.Type as Folder.Type
    partial = {
        f: re.compile(r"(?<![\w.])" + re.escape(f) + r"\.(?:" + "|".join(map(re.escape, sorted(declared[f]))) + r")\b")
        for f in folders if f != ROOT and declared[f]
    }
    qualified = re.compile(r"\b" + re.escape(namespace) + r"\.(\w+)")
    deps = {f: set() for f in folders}
    for folder, path in files:
        text = texts[path]
        for target in qualified.findall(text):
            if target in deps and target != folder:
                deps[folder].add(target)
        for target, pattern in partial.items():
            if target != folder and pattern.search(text):
                deps[folder].add(target)
        if folder != ROOT and any(re.search(r"\b" + t + r"\b", text) for t in root_types):
            deps[folder].add(ROOT)
    return deps


def cycles(deps):
    """Tarjan's strongly connected components; those with more than one member are cycles."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(deps[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                result.append(sorted(group))

    for v in sorted(deps):
        if v not in index:
            visit(v)
    return result


def main():
    project = sys.argv[1] if len(sys.argv) > 1 else "gateway/IoTMonitor.Gateway"
    namespace = sys.argv[2] if len(sys.argv) > 2 else "IoTMonitor.Gateway"
    deps = graph(project, namespace)
    width = max(len(f) for f in deps)
    for folder in sorted(deps):
        print(f"{folder:<{width}} -> {', '.join(sorted(deps[folder])) or '-'}")
    found = cycles(deps)
    if found:
        print()
        for group in found:
            print("cycle: " + " <-> ".join(group))
        return 1
    print("\nno cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
