"""The public corpora tools/build_nlu_real.py builds from, read out of their repository snapshots.

One reader per corpus, each knowing where that corpus keeps its messages and which of its intents, services or
domains are used at all (the allow- and skip-lists below); plus the hand labels of tests/nlu_real/labels.tsv,
each checked against the snapshot it names. Kept apart from the build's selection rules (keyword veto, caps,
sampling, split), which need not know how any corpus lays out its files. Standard library only: the build runs
without the project's virtual environment.
"""

import csv
import glob
import io
import json
import os
import re
import subprocess

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


def clean(text):
    return re.sub(r"\s+", " ", text).strip()


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
