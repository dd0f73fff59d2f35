"""Reading the split files that make_splits.py writes, with ids kept as text (as Surprise and
Orrery keep them)."""

import os
from dataclasses import dataclass


@dataclass
class Interactions:
    users: list
    items: list
    values: list


def read_split_file(path):
    """`user \\t item \\t rating \\t time` lines (.tsv), or CSV `user,item,count` with a header."""
    users, items, values = [], [], []
    with open(path, encoding="utf-8") as f:
        sep = "\t"
        if path.endswith(".csv"):
            sep = ","
            next(f)
        for number, line in enumerate(f, start=2 if sep == "," else 1):
            fields = line.rstrip("\r\n").split(sep)
            if len(fields) < 3:
                raise ValueError(f"{path} line {number}: expected user{sep}item{sep}value, found {line!r}")
            users.append(fields[0])
            items.append(fields[1])
            values.append(float(fields[2]))
    return Interactions(users, items, values)


def dataset_name(train_path):
    """The dataset folder of bench/out/splits/<dataset>/<split>/train.tsv."""
    parts = os.path.normpath(train_path).split(os.sep)
    return "/".join(parts[-3:-1]) if len(parts) >= 3 else train_path
