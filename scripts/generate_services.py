#!/usr/bin/env python3
"""Writes N services as Open Referral UK JSON for load tests (docs/performance.md).

Usage: signpost export oruk > demo.json   (from a database with the demo county)
       scripts/generate_services.py demo.json 10000 > 10k.json
       signpost import oruk 10k.json

The demo services first, then copies of random demo services with fresh ids for everything the
service owns (locations, schedules, contacts…), the same organisations and categories, a town and
number in the name, and the places moved up to ~9 km. Deterministic (seeded).
"""
import copy
import json
import random
import sys
import uuid

TOWNS = ["Brackenfield", "Hollowmere", "Saxby Bridge", "Greyford", "Lydmoor", "Marrowby",
         "Fennick Green", "Little Ashby"]


def shared_ids(services):
    """Ids that copies keep: organisations and the category tree."""
    keep = set()

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k in ("organization_id", "taxonomy_term_id", "parent_id", "taxonomy_id") and isinstance(v, str):
                    keep.add(v)
                if k in ("organization", "taxonomy_term") and isinstance(v, dict) and "id" in v:
                    keep.add(v["id"])
                walk(v)
        elif isinstance(o, list):
            for x in o:
                walk(x)
    walk(services)
    return keep


def main():
    source, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(7)
    demo = json.load(open(source))
    keep = shared_ids(demo)
    out = list(demo)

    def remap(o, ids):
        if isinstance(o, dict):
            for k, v in list(o.items()):
                if (k == "id" or k.endswith("_id")) and isinstance(v, str) and v not in keep:
                    o[k] = ids.setdefault(v, str(uuid.UUID(int=rng.getrandbits(128), version=4)))
                elif k in ("latitude", "longitude") and isinstance(v, (int, float)):
                    o[k] = round(v + rng.uniform(-0.08, 0.08), 6)
                else:
                    remap(v, ids)
        elif isinstance(o, list):
            for x in o:
                remap(x, ids)

    i = 0
    while len(out) < n:
        s = copy.deepcopy(demo[rng.randrange(len(demo))])
        i += 1
        remap(s, {})
        s["name"] = f"{s['name']} ({rng.choice(TOWNS)} {i % 97})"
        out.append(s)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
