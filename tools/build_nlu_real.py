#!/usr/bin/env python3
"""Build the cross-source NLU dev sets in tests/nlu_real/ and the public
out-of-domain training negatives in data/nlu/out_of_scope_public.yml.

Not run in CI. It reads snapshots of public repositories, each given as a
git directory (bare, as brought in by a mirror) or as a checked-out folder:

    python3 tools/build_nlu_real.py \
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
splits the rest. Out-of-domain messages are selected by the rules below
(intent/domain allow-lists plus a keyword veto for anything a shop bot should
answer), sampled deterministically and split the same way.

See tests/nlu_real/SOURCES.md for licences, commits and the labelling rules.
"""

import argparse
import csv
import glob
import hashlib
import io
import json
import os
import re
import subprocess
from collections import Counter, defaultdict

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

HWU64_INTENTS = {
    "alarm_query",
    "alarm_remove",
    "alarm_set",
    "audio_volume_down",
    "audio_volume_mute",
    "audio_volume_up",
    "calendar_query",
    "calendar_remove",
    "calendar_set",
    "cooking_recipe",
    "datetime_convert",
    "datetime_query",
    "email_sendemail",
    "general_joke",
    "iot_cleaning",
    "iot_coffee",
    "iot_hue_lightchange",
    "iot_hue_lightdim",
    "iot_hue_lightoff",
    "iot_hue_lighton",
    "iot_hue_lightup",
    "iot_wemo_off",
    "iot_wemo_on",
    "lists_createoradd",
    "lists_query",
    "lists_remove",
    "music_likeness",
    "music_query",
    "music_settings",
    "news_query",
    "play_audiobook",
    "play_game",
    "play_music",
    "play_podcasts",
    "play_radio",
    "qa_definition",
    "qa_factoid",
    "qa_maths",
    "recommendation_events",
    "recommendation_locations",
    "recommendation_movies",
    "social_post",
    "social_query",
    "transport_query",
    "transport_taxi",
    "transport_ticket",
    "transport_traffic",
    "weather_query",
}
HWU64_DIR = (
    "CrossValidation/autoGeneFromRealAnno/autoGene_2018_03_22-13_01_25_169/CrossValidation/KFold_{k}/testset/csv"
)
SNIPS_INTENTS = [
    "AddToPlaylist",
    "BookRestaurant",
    "GetWeather",
    "PlayMusic",
    "SearchCreativeWork",
    "SearchScreeningEvent",
]  # RateBook left out: it is a review
SGD_SKIP_SERVICES = ("Payment", "Banks")  # money transfers: too close to a shop's payments
STAR_SKIP_DOMAINS = {"bank"}


# ---------------------------------------------------------------- reading
class Snapshot:
    """A repository snapshot: bare git dir (read HEAD) or a plain folder."""

    def __init__(self, path):
        self.path = path
        self.bare = os.path.isfile(os.path.join(path, "HEAD")) and not os.path.isdir(os.path.join(path, ".git"))

    def commit(self):
        gd = self.path if self.bare else os.path.join(self.path, ".git")
        try:
            return subprocess.run(
                ["git", "--git-dir=" + gd, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (subprocess.CalledProcessError, FileNotFoundError):
            return "unknown"

    def files(self, prefix):
        if self.bare:
            out = subprocess.run(
                ["git", "--git-dir=" + self.path, "ls-tree", "-r", "--name-only", "HEAD", prefix],
                capture_output=True,
                text=True,
                check=True,
            )
            return out.stdout.split()
        base = os.path.join(self.path, prefix)
        return sorted(
            os.path.relpath(p, self.path)
            for p in glob.glob(os.path.join(base, "**"), recursive=True)
            if os.path.isfile(p)
        )

    def read(self, relpath):
        """Text of a file, or None where the snapshot lacks it (large files)."""
        if self.bare:
            r = subprocess.run(["git", "--git-dir=" + self.path, "show", "HEAD:" + relpath], capture_output=True)
            return r.stdout.decode("utf-8") if r.returncode == 0 else None
        p = os.path.join(self.path, relpath)
        return open(p, encoding="utf-8").read() if os.path.isfile(p) else None


def norm(text):
    """Key for near-duplicate detection: case, punctuation and spacing ignored."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def hkey(text):
    return hashlib.sha1(norm(text).encode("utf-8")).hexdigest()


def clean(text):
    return re.sub(r"\s+", " ", text).strip()


def usable(text):
    """Single line, not empty, nothing that Rasa would read as entity markup."""
    return (
        bool(text)
        and "\n" not in text
        and not re.search(r"\]\s*[\(\{]", text)
        and not text.startswith(("#", "-", "[", "{"))
    )


# ---------------------------------------------------------------- in-domain
_memo: dict[str, list[list[str]]] = {}


def banking77_row(snap, rid):
    split, row = rid.split(":")
    if split not in _memo:
        _memo[split] = list(csv.reader(io.StringIO(snap.read(f"banking_data/{split}.csv"))))
    return _memo[split][int(row) - 1][0]


def hint3_row(snap, rid, bot):
    version_split, row = rid.split(":")
    version, split = version_split.split("/")
    k = (bot, version, split)
    if k not in _memo:
        _memo[k] = list(csv.reader(io.StringIO(snap.read(f"dataset/{version}/{split}/{bot}_{split}.csv"))))
    return _memo[k][int(row) - 1][0]


def load_labels(snaps, labels_path):
    cache = {}
    out = []
    with open(labels_path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            src, rid, text, intent = r["source"], r["id"], r["text"], r["intent"]
            key = (src, rid)
            if key not in cache:
                if src.startswith("hint3-"):
                    cache[key] = hint3_row(snaps["hint3"], rid, src.split("-", 1)[1])
                elif src == "banking77":
                    cache[key] = banking77_row(snaps["banking77"], rid)
                else:
                    raise SystemExit(f"unknown source {src}")
            if cache[key].strip() != text:
                raise SystemExit(f"label text differs from snapshot: {src} {rid}: {text!r}")
            out.append((src, clean(text), intent))
    return out


# ---------------------------------------------------------------- out-of-domain
def ood_ok(text):
    return (
        usable(text)
        and len(text.split()) >= 3
        and not SHOP_WORDS.search(text)
        and not SMALL_TALK.search(text)
        and not INTRO.search(text)
    )


def hwu64(snap):
    out = []
    for k in range(1, 11):
        for path in snap.files(HWU64_DIR.format(k=k)):
            intent = os.path.basename(path)[:-4]
            if intent not in HWU64_INTENTS:
                continue
            for r in csv.DictReader(io.StringIO(snap.read(path)), delimiter=";"):
                out.append(("hwu64", clean(r["answer_from_anno"]), intent))
    return out


def snips(snap):
    out = []
    for intent in SNIPS_INTENTS:
        for name in (f"train_{intent}.json", f"validate_{intent}.json"):
            raw = snap.read(f"2017-06-custom-intent-engines/{intent}/{name}")
            data = json.loads(raw.encode("utf-8").decode("utf-8", "replace"))
            for ex in data[intent]:
                out.append(("snips", clean("".join(p["text"] for p in ex["data"])), intent))
    return out


def sgd(snap):
    out = []
    for split in ("dev", "test"):
        for path in snap.files(split + "/"):
            if not os.path.basename(path).startswith("dialogues_"):
                continue
            raw = snap.read(path)
            if raw is None:  # file missing from the snapshot (too large)
                continue
            for dlg in json.loads(raw):
                services = dlg["services"]
                if any(s.startswith(SGD_SKIP_SERVICES) for s in services):
                    continue
                first = next(t for t in dlg["turns"] if t["speaker"] == "USER")
                out.append(("sgd", clean(first["utterance"]), services[0].split("_")[0]))
    return out


def star(snap):
    out = []
    for path in snap.files("dialogues/"):
        d = json.loads(snap.read(path))
        domains = set(d["Scenario"]["Domains"])
        if domains & STAR_SKIP_DOMAINS:
            continue
        first = next((e for e in d["Events"] if e["Agent"] == "User" and e["Action"] == "utter"), None)
        if first:
            out.append(("star", clean(first["Text"]), ",".join(sorted(map(str, domains)))))
    return out


def woz2(snap):
    out = []
    for split in ("train", "validate", "test"):
        for dlg in json.loads(snap.read(f"data/woz/woz_{split}_en.json")):
            out.append(("woz2", clean(dlg["dialogue"][0]["transcript"]), "restaurant"))
    return out


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
