"""Write the benchmark's split files from the shared datasets, the same bytes on every run.

    python make_splits.py DATA_DIR OUT_DIR

DATA_DIR is shared/data; OUT_DIR receives one folder per dataset:

    ml-1m-users-1-2999/holdout/{train,test}.tsv      90/10 random split (seed 42)
    ml-1m-users-1-2999/holdout/validation/...        90/10 of that train (for tuning)
    ml-1m-users-1-2999/loo/ml1m.{train,test}.rating, ml1m.test.negative   NCF leave-last-out
    ml-100k/u1..u5/{train,test}.tsv                  the official splits, rows unchanged
    ml-100k/u1/validation/...
    ml-latest-small/holdout/{train,test}.tsv (+ validation/)
    hetrec2011-lastfm-2k/holdout/{train,test}.csv (+ validation/)   per-user 90/10, play counts

Rating files are `user \\t item \\t rating \\t timestamp` without a header (the layout of
MovieLens' u.data); Last.fm files are CSV `user,item,count`. Rows are sorted by user, then
timestamp, then item, so every library sees users in the same order.
"""

import os
import sys

import numpy as np

SEED = 42
TEST_RATIO = 0.1
NEGATIVES = 99


class Rows:
    """Interactions as parallel arrays: integer user and item ids, value, Unix time."""

    def __init__(self, users, items, values, times):
        self.users = np.asarray(users, dtype=np.int64)
        self.items = np.asarray(items, dtype=np.int64)
        self.values = np.asarray(values, dtype=np.float64)
        self.times = np.asarray(times, dtype=np.int64)

    def __len__(self):
        return len(self.users)

    def take(self, index):
        return Rows(self.users[index], self.items[index], self.values[index], self.times[index])


def read_rows(path, sep, header=False, columns=4):
    """Read `user sep item sep value [sep time]` lines; a missing time is 0."""
    fields = []
    with open(path, encoding="utf-8") as f:
        if header:
            next(f)
        for line in f:
            line = line.strip()
            if line:
                fields.append(line.split(sep))
    if columns == 3:
        fields = [row + ["0"] for row in fields]
    u, i, v, t = zip(*fields)
    return Rows(list(map(int, u)), list(map(int, i)), list(map(float, v)), list(map(int, t)))


def random_holdout(rows, seed=SEED, ratio=TEST_RATIO):
    """A random `ratio` of all rows is the test set."""
    order = np.random.default_rng(seed).permutation(len(rows))
    n_test = int(round(len(rows) * ratio))
    return rows.take(order[n_test:]), rows.take(order[:n_test])


def per_user_holdout(rows, seed=SEED, ratio=TEST_RATIO):
    """Each user with two or more rows gives max(1, n // 10) random rows to the test set."""
    rng = np.random.default_rng(seed)
    is_test = np.zeros(len(rows), dtype=bool)
    by_user = np.argsort(rows.users, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(rows.users[by_user]) != 0])
    for own in np.split(by_user, starts[1:]):
        if len(own) >= 2:
            n_test = max(1, int(len(own) * ratio))
            is_test[rng.choice(own, n_test, replace=False)] = True
    return rows.take(~is_test), rows.take(is_test)


def sorted_rows(rows):
    return rows.take(np.lexsort((rows.items, rows.times, rows.users)))


def write_ratings(rows, path):
    rows = sorted_rows(rows)
    with open(path, "w", encoding="utf-8") as f:
        for u, i, v, t in zip(rows.users, rows.items, rows.values, rows.times):
            f.write(f"{u}\t{i}\t{v:g}\t{t}\n")


def write_counts(rows, path):
    rows = sorted_rows(rows)
    with open(path, "w", encoding="utf-8") as f:
        f.write("user,item,count\n")
        for u, i, v in zip(rows.users, rows.items, rows.values):
            f.write(f"{u},{i},{v:g}\n")


def write_split(train, test, folder, write=write_ratings, ext="tsv", split=random_holdout):
    """The split, plus a validation split carved from its train part for tuning."""
    for path, (a, b) in [(folder, (train, test)), (os.path.join(folder, "validation"), split(train))]:
        os.makedirs(path, exist_ok=True)
        write(a, os.path.join(path, f"train.{ext}"))
        write(b, os.path.join(path, f"test.{ext}"))
    print(f"{folder}: {len(train)} train, {len(test)} test", file=sys.stderr)


def write_leave_last_out(rows, folder, name, seed=SEED, negatives=NEGATIVES):
    """The NCF paper's files: each user's latest rating is the test item, ranked against
    `negatives` items the user never rated. Ids become 0-based in the order of the original
    ids; among ratings sharing a user's latest timestamp the highest item id is the test."""
    users, user_ix = np.unique(rows.users, return_inverse=True)
    items, item_ix = np.unique(rows.items, return_inverse=True)
    rows = Rows(user_ix, item_ix, rows.values, rows.times)
    order = np.lexsort((rows.items, rows.times, rows.users))
    last = order[np.r_[np.diff(rows.users[order]) != 0, True]]
    is_test = np.zeros(len(rows), dtype=bool)
    is_test[last] = True
    train, test = rows.take(~is_test), rows.take(last)

    os.makedirs(folder, exist_ok=True)
    write_ratings(train, os.path.join(folder, f"{name}.train.rating"))
    write_ratings(test, os.path.join(folder, f"{name}.test.rating"))
    rng = np.random.default_rng(seed)
    rated = np.split(rows.items[order], np.flatnonzero(np.diff(rows.users[order])) + 1)
    with open(os.path.join(folder, f"{name}.test.negative"), "w", encoding="utf-8") as f:
        for u, i, seen in zip(test.users, test.items, rated):
            pool = np.setdiff1d(np.arange(len(items)), seen, assume_unique=False)
            sample = rng.choice(pool, negatives, replace=False)
            f.write(f"({u},{i})\t" + "\t".join(map(str, sample)) + "\n")
    print(f"{folder}: {len(users)} users, {len(items)} items, {len(train)} train", file=sys.stderr)


def main(data, out):
    ml1m = read_rows(os.path.join(data, "ml-1m-users-1-2999", "ratings.dat"), "::")
    write_split(*random_holdout(ml1m), os.path.join(out, "ml-1m-users-1-2999", "holdout"))
    write_leave_last_out(ml1m, os.path.join(out, "ml-1m-users-1-2999", "loo"), "ml1m")

    for fold in range(1, 6):
        base, test = (
            read_rows(os.path.join(data, "ml-100k", f"u{fold}.{e}"), "\t") for e in ("base", "test")
        )
        folder = os.path.join(out, "ml-100k", f"u{fold}")
        if fold == 1:
            write_split(base, test, folder)
        else:
            os.makedirs(folder, exist_ok=True)
            write_ratings(base, os.path.join(folder, "train.tsv"))
            write_ratings(test, os.path.join(folder, "test.tsv"))

    small = read_rows(os.path.join(data, "ml-latest-small", "ratings.csv"), ",", header=True)
    write_split(*random_holdout(small), os.path.join(out, "ml-latest-small", "holdout"))

    plays = read_rows(
        os.path.join(data, "hetrec2011-lastfm-2k", "user_artists.dat"), "\t", header=True, columns=3
    )
    write_split(
        *per_user_holdout(plays),
        os.path.join(out, "hetrec2011-lastfm-2k", "holdout"),
        write=write_counts,
        ext="csv",
        split=per_user_holdout,
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_splits.py SHARED_DATA_DIR OUT_DIR")
    main(sys.argv[1], sys.argv[2])
