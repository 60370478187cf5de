#!/usr/bin/env python3
"""Build the cross-source NLU dev sets in tests/nlu_real/ and the public
out-of-domain training negatives in data/nlu/out_of_scope_public.yml.

Not run in CI. It reads snapshots of public repositories, each given as a
git directory (bare, as brought in by a mirror) or as a checked-out folder:

    python3 -m tools.build_nlu_real \
        --hint3 /work/.mirror/hellohaptik+HINT3/repo \
        --banking77 /work/.mirror/PolyAI-LDN+task-specific-datasets/repo \
        --hwu64 /work/.mirror/xliuhw+NLU-Evaluation-Data/repo \
        --snips /work/.mirror/sonos+nlu-benchmark/repo \
        --sgd /work/.mirror/google-research-datasets+dstc8-schema-guided-dialogue/repo \
        --star /work/.mirror/RasaHQ+STAR/repo \
        --woz /work/.mirror/nmrksic+neural-belief-tracker/repo

In-domain messages are NOT selected by this script: they were labelled by hand
and live in tests/nlu_real/labels.tsv (source, id, text, intent). The script
checks every labelled text against the snapshot, drops near-duplicates and
texts that already occur in data/nlu/, caps each (source, intent) cell and
splits the rest. Out-of-domain messages are selected by rules (the intent and
domain allow-lists of tools/nlu_real_sources.py, which reads the corpora, plus
the keyword veto below for anything a shop bot should answer), sampled
deterministically and split the same way.

See tests/nlu_real/SOURCES.md for licences, commits and the labelling rules.
"""

import argparse
import glob
import hashlib
import json
import os
import re
from collections import Counter, defaultdict

from tools.nlu_real_sources import Snapshot, hwu64, load_labels, sgd, snips, star, woz2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Cap per (source, intent) for in-domain messages, so that no single source
# dominates an intent.
MAX_PER_SOURCE_INTENT = 40
# Out-of-domain dev set: messages per source (before the 50/50 split).
OOD_DEV_PER_SOURCE = {"hwu64": 500, "snips": 420, "sgd": 420}
# Training negatives (sources disjoint from the dev sets).
OOD_TRAIN_PER_SOURCE = {"star": 600, "woz2": 200}

# Anything a shop assistant should handle (or that is small talk it answers)
# vetoes an out-of-domain candidate.
SHOP_WORDS = re.compile(
    r"\b(order\w*|buy\w*|bought|purchas\w*|shop\w*|store|deliver\w*|ship\w*|"
    r"packages?|parcels?|courier|refund\w*|return\w*|invoice\w*|receipts?|bill\w*|"
    r"pay\w*|paid|charge\w*|cost\w*|price\w*|cheap\w*|expensive|money|cash|card\w*|"
    r"bank\w*|transfer\w*|balance|account\w*|password\w*|passcode|log ?in|login|"
    r"sign ?up|regist\w*|subscri\w*|unsubscri\w*|newsletter\w*|reviews?|rate|rating|"
    r"stars?|complain\w*|customer|service|support|agent|human|person|representative|"
    r"cancel\w*|track\w*|status|cart|basket|coupon\w*|discount\w*|voucher\w*|promo\w*|"
    r"address\w*|amazon|ebay|product\w*|item\w*|stock|warranty|replace\w*|exchange\w*|"
    r"sell\w*|sale|deals?|offers?|gift\w*|rent\w*|reserv\w*|book(ing)? me|bot|robot|"
    r"assistant|chat\w*|help)\b",
    re.I,
)
SMALL_TALK = re.compile(
    r"^\W*(hi|hello|hey|good (morning|afternoon|evening)|thanks?|thank you|bye|goodbye|"
    r"yes|yeah|no|nope|ok|okay|sure|hel+o+|how are you|how do you do|are you there)\b",
    re.I,
)
# Self-introductions are the shop bot's greet intent.
INTRO = re.compile(r"^(My name is|my name is|This is [A-Z]|I am [A-Z]|I'm [A-Z]|You are)")


# ---------------------------------------------------------------- texts
def norm(text):
    """Key for near-duplicate detection: case, punctuation and spacing ignored."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def hkey(text):
    return hashlib.sha1(norm(text).encode("utf-8")).hexdigest()


def usable(text):
    """Single line, not empty, nothing that Rasa would read as entity markup."""
    return (
        bool(text)
        and "\n" not in text
        and not re.search(r"\]\s*[\(\{]", text)
        and not text.startswith(("#", "-", "[", "{"))
    )


# ---------------------------------------------------------------- out-of-domain
def ood_ok(text):
    return (
        usable(text)
        and len(text.split()) >= 3
        and not SHOP_WORDS.search(text)
        and not SMALL_TALK.search(text)
        and not INTRO.search(text)
    )


def sample_ood(rows, per_source, seen):
    """Filter, dedupe and take a deterministic, intent-balanced sample per source."""
    by_src = defaultdict(lambda: defaultdict(list))
    for src, text, sub in rows:
        k = norm(text)
        if not ood_ok(text) or k in seen:
            continue
        seen.add(k)
        by_src[src][sub].append(text)
    picked = []
    for src, n in per_source.items():
        groups = {sub: sorted(v, key=hkey) for sub, v in by_src[src].items()}
        taken, i = [], 0
        while len(taken) < n and any(i < len(v) for v in groups.values()):
            for sub in sorted(groups):  # round robin over sub-intents / domains
                if i < len(groups[sub]) and len(taken) < n:
                    taken.append((src, groups[sub][i], "out_of_scope"))
            i += 1
        picked += taken
    return picked


# ---------------------------------------------------------------- output
def split_halves(rows):
    """Stratified by (source, intent): sort each cell by text hash, alternate."""
    cells = defaultdict(list)
    for src, text, intent in rows:
        cells[(src, intent)].append(text)
    tuning, test = [], []
    for (src, intent), texts in sorted(cells.items()):
        for i, t in enumerate(sorted(texts, key=hkey)):
            (tuning if i % 2 == 0 else test).append((src, t, intent))
    return tuning, test


def write_nlu(path, rows, header):
    by_intent = defaultdict(list)
    for _, text, intent in rows:
        by_intent[intent].append(text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        f.write('version: "3.1"\nnlu:\n')
        for intent in sorted(by_intent):
            f.write(f"- intent: {intent}\n  examples: |\n")
            for t in sorted(by_intent[intent], key=str.lower):
                f.write(f"    - {t}\n")


def training_texts():
    keys = set()
    for p in glob.glob(os.path.join(ROOT, "data", "nlu", "*.yml")):
        if p.endswith("out_of_scope_public.yml"):
            continue
        for line in open(p, encoding="utf-8"):
            m = re.match(r"\s*- (.*)$", line)
            if m:
                keys.add(norm(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", m.group(1))))
    return keys


def main():
    ap = argparse.ArgumentParser()
    for name in ("hint3", "banking77", "hwu64", "snips", "sgd", "star", "woz"):
        ap.add_argument("--" + name, required=True)
    args = ap.parse_args()
    snaps = {n: Snapshot(getattr(args, n)) for n in ("hint3", "banking77", "hwu64", "snips", "sgd", "star", "woz")}
    outdir = os.path.join(ROOT, "tests", "nlu_real")

    # in-domain
    in_train = training_texts()
    seen, cells = set(), defaultdict(list)
    labelled = load_labels(snaps, os.path.join(outdir, "labels.tsv"))
    dropped = Counter()
    for src, text, intent in labelled:
        k = norm(text)
        if not usable(text) or not k:
            dropped["unusable"] += 1
        elif k in seen:
            dropped["duplicate"] += 1
        elif k in in_train:
            dropped["already in data/nlu"] += 1
        else:
            seen.add(k)
            cells[(src, intent)].append(text)
    in_domain = []
    for (src, intent), texts in sorted(cells.items()):
        keep = sorted(texts, key=hkey)[:MAX_PER_SOURCE_INTENT]
        dropped["over cap"] += len(texts) - len(keep)
        in_domain += [(src, t, intent) for t in keep]

    # out-of-domain dev, then source-disjoint training negatives
    ood_dev = sample_ood(hwu64(snaps["hwu64"]) + snips(snaps["snips"]) + sgd(snaps["sgd"]), OOD_DEV_PER_SOURCE, seen)
    ood_train = sample_ood(star(snaps["star"]) + woz2(snaps["woz"]), OOD_TRAIN_PER_SOURCE, seen)

    tuning, test = split_halves(in_domain + ood_dev)
    hdr = (
        "# Generated by tools/build_nlu_real.py from public data sets; see SOURCES.md.\n# Do not train on this file.\n"
    )
    write_nlu(os.path.join(outdir, "tuning.yml"), tuning, hdr)
    write_nlu(os.path.join(outdir, "test.yml"), test, hdr)
    write_nlu(
        os.path.join(ROOT, "data", "nlu", "out_of_scope_public.yml"),
        ood_train,
        "# Out-of-domain training negatives, first user turns of public dialogue corpora:\n"
        "#  - STAR (RasaHQ/STAR, MIT licence, commit " + snaps["star"].commit() + ")\n"
        "#  - WOZ 2.0 restaurant dialogues as shipped in nmrksic/neural-belief-tracker\n"
        "#    (Apache-2.0 licence, commit " + snaps["woz"].commit() + ")\n"
        "# Source-disjoint from tests/nlu_real/. Generated by tools/build_nlu_real.py.\n",
    )

    # summary for SOURCES.md
    summary = Counter()
    for name, rows in (("tuning", tuning), ("test", test), ("train_neg", ood_train)):
        for src, _, intent in rows:
            summary[(name, src, intent)] += 1
    json.dump(
        {
            "commits": {n: s.commit() for n, s in snaps.items()},
            "dropped_in_domain": dropped,
            "counts": [[a, b, c, n] for (a, b, c), n in sorted(summary.items())],
        },
        open(os.path.join(outdir, "build_summary.json"), "w"),
        indent=1,
    )
    print(
        "in-domain",
        len(in_domain),
        "ood dev",
        len(ood_dev),
        "ood train",
        len(ood_train),
        "tuning",
        len(tuning),
        "test",
        len(test),
        "dropped",
        dict(dropped),
    )


if __name__ == "__main__":
    main()
