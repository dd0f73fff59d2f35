#!/usr/bin/env python3
"""Writes N short synthetic sentences, one per line, the same bytes on every run (seed 42).

Usage: python3 bench/embed_sentences.py OUT_FILE [N]
"""

import random
import sys

SUBJECTS = ["The movie", "This course", "A new album", "Our team", "The recipe", "My favourite book",
            "The documentary", "An online tutorial", "The startup", "This podcast", "The museum", "A short story"]
VERBS = ["explains", "celebrates", "explores", "reviews", "compares", "introduces", "questions", "follows"]
OBJECTS = ["machine learning for beginners", "the history of jazz", "space travel and distant moons",
           "healthy cooking on a budget", "the rise of electric cars", "ancient Roman architecture",
           "modern web development", "a family's journey across Europe", "climate change and oceans",
           "classic detective fiction", "startup funding rounds", "the psychology of habits"]
TAILS = ["", "", " in ten minutes", " with humour", " for a young audience", " in great detail",
         ", and critics loved it", " using simple examples"]


def main() -> None:
    out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rng = random.Random(42)
    with open(out, "w", encoding="utf-8") as f:
        for _ in range(n):
            f.write(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(TAILS)}.\n")


if __name__ == "__main__":
    main()
