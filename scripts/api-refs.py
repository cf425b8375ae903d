#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scripts/api-refs.py [--write] [SAMPLE...] - the API lines of a sample's README.

Each sample README's Reference section lists, as lines starting with "- ":
  - the libbpf API its own user-side files call (by header: libbpf.h, bpf.h, btf.h),
  - the libbpf API it reaches through common/ ("(in `sample_x`)": the common/
    function the sample calls that leads there), when there is any,
  - the BPF helpers its BPF side calls (<s>_kern.c and the <s>_*kern.h beside it).
They are worked out from the code here, so they cannot drift from it: without
--write, every README whose lines differ is named with the line it should have
(exit 1); tests/check_docs.sh runs this. --write puts the lines in place.
"""
import glob
import os
import re
import sys

API = "https://libbpf.readthedocs.io/en/latest/api.html"
HELPERS_MAN = "https://man7.org/linux/man-pages/man7/bpf-helpers.7.html"
HEADERS = [("libbpf.h", "libbpf-h"), ("bpf.h", "bpf-h"), ("btf.h", "btf-h")]
INCLUDE = os.environ.get("LIBBPF_INCLUDE", "/usr/include/bpf")


def api_names():
    """name -> header, for every LIBBPF_API function of libbpf's public headers."""
    names = {}
    for header, _ in HEADERS:
        text = open(os.path.join(INCLUDE, header)).read()
        for decl in re.findall(r"LIBBPF_API\b([^;{]*?)\(", text, re.S):
            m = re.search(r"(\w+)\s*$", decl)
            if m:
                names.setdefault(m.group(1), header)
    return names


def helper_names():
    text = open(os.path.join(INCLUDE, "bpf_helper_defs.h")).read()
    return set(re.findall(r"\(\s*\*\s*(bpf_\w+)\s*\)\s*\(", text))


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', text)


def calls(text, names):
    return {n for n in re.findall(r"\b(\w+)\s*\(", strip_comments(text)) if n in names}


def common_functions():
    """name -> body of every function defined in common/*.c."""
    funcs = {}
    for path in sorted(glob.glob("common/*.c")):
        text = strip_comments(open(path).read())
        for m in re.finditer(r"^[a-z][^\n;=]*?\b(\w+)\s*\([^;{]*\)\s*\{", text, re.M):
            start = m.end()
            depth = 1
            i = start
            while depth and i < len(text):
                if text[i] == "{":
                    depth += 1
                elif text[i] == "}":
                    depth -= 1
                i += 1
            funcs[m.group(1)] = text[start:i]
    return funcs


def reach(fn, funcs, api, seen=None):
    """The libbpf API fn calls, itself or through other common/ functions."""
    if seen is None:
        seen = set()
    if fn in seen or fn not in funcs:
        return set()
    seen.add(fn)
    found = calls(funcs[fn], api)
    for callee in calls(funcs[fn], funcs):
        found |= reach(callee, funcs, api, seen)
    return found


def lines_for(s, api, helpers, funcs):
    user = [f for f in sorted(glob.glob(f"{s}/*.[ch]")) if not re.search(r"_kern\.[ch]$", f)]
    text = "".join(open(f).read() for f in user)
    direct = calls(text, api)
    out = []
    parts = []
    for header, anchor in HEADERS:
        these = sorted(n for n in direct if api[n] == header)
        if these:
            parts.append(f"[{header}]({API}#{anchor}): " + ", ".join(f"`{n}()`" for n in these))
    if parts:
        out.append(f"- The [libbpf API]({API}) this sample calls: " + "; ".join(parts) + ".")
    via = {}
    for fn in sorted(calls(text, funcs)):
        for n in reach(fn, funcs, api):
            if n not in direct:
                via.setdefault(n, []).append(fn)
    if via:
        out.append("- Through [common/](../common): " +
                   ", ".join(f"`{n}()` (in " + ", ".join(f"`{f}`" for f in via[n]) + ")"
                             for n in sorted(via)) + ".")
    kern = [f"{s}/{s}_kern.c"] + sorted(glob.glob(f"{s}/{s}_*kern.h"))
    used = set()
    for f in kern:
        used |= calls(open(f).read(), helpers)
    if used:
        where = " and ".join(f"`{os.path.basename(f)}`" for f in kern)
        out.append(f"- BPF helpers called in {where}: " +
                   ", ".join(f"`{n}()`" for n in sorted(used)) + f" ([bpf-helpers(7)]({HELPERS_MAN})).")
    return out


KINDS = ("- The [libbpf API](", "- Through [common/](", "- BPF helpers called in ")


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    args = sys.argv[1:]
    write = "--write" in args
    samples = [a for a in args if a != "--write"]
    if not samples:
        samples = sorted(d for d in os.listdir(".") if os.path.isfile(f"{d}/{d}_kern.c"))
    api = api_names()
    helpers = helper_names()
    funcs = common_functions()
    bad = 0
    for s in samples:
        readme = f"{s}/README.md"
        if not os.path.isfile(f"{s}/{s}_kern.c") or not os.path.isfile(readme):
            continue
        want = lines_for(s, api, helpers, funcs)
        lines = open(readme).read().split("\n")
        have = [l for l in lines if l.startswith(KINDS)]
        if have == want:
            print(f"PASS api-refs/{s}")
            continue
        if write:
            idx = [i for i, l in enumerate(lines) if l.startswith(KINDS)]
            if not idx:
                print(f"FAIL api-refs/{s}: no API lines in {readme} to replace")
                bad = 1
                continue
            # Each kind in its place: replaced where the README has it, else
            # put after the line of the kind before it; a kind the code no
            # longer has goes.
            new = list(lines)
            last = idx[0] - 1
            for kind in KINDS:
                line = next((w for w in want if w.startswith(kind)), None)
                at = next((i for i, l in enumerate(new) if l.startswith(kind)), None)
                if at is not None and line is not None:
                    new[at] = line
                    last = at
                elif at is not None:
                    del new[at]
                    last = at - 1
                elif line is not None:
                    new.insert(last + 1, line)
                    last += 1
            open(readme, "w").write("\n".join(new))
            print(f"wrote api-refs/{s}")
            continue
        diff = [l for l in want if l not in have] + ["not so: " + l for l in have if l not in want]
        print(f"FAIL api-refs/{s}: {readme} should say: " + " | ".join(diff))
        bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
