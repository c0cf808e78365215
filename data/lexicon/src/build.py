#!/usr/bin/env python3
# build.py — writes data/lexicon/<lang>.tsv from the compact word lists in
# data/lexicon/src/<lang>.txt (sections "[v]", "[neg]", ... with
# "term value" items separated by "|" or new lines).  The .tsv files are
# the shipped data; this helper only saves typing when editing them.
import sys, os, re
here = os.path.dirname(os.path.abspath(__file__))
for lang in sys.argv[1:]:
    src = open(os.path.join(here, lang + ".txt"), encoding="utf-8").read()
    out = []
    kind = None
    seen = set()
    for line in src.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            if kind is None:
                out.append(line)
            continue
        m = re.match(r"^\[(\w+)\]$", line)
        if m:
            kind = m.group(1)
            continue
        for item in line.split("|"):
            item = item.strip()
            if not item:
                continue
            m = re.match(r"^(.*?)\s+(-?\d+(?:\.\d+)?)$", item)
            term, val = (m.group(1), m.group(2)) if m else (item, "")
            key = (kind, term)
            if key in seen:
                continue
            seen.add(key)
            out.append(kind + "\t" + term + ("\t" + val if val else ""))
    open(os.path.join(here, "..", lang + ".tsv"), "w", encoding="utf-8").write("\n".join(out) + "\n")
    print(lang, len(out))
