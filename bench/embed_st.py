#!/usr/bin/env python3
"""sentence-transformers' side of bench/embed.sh: embeds the sentences of a file with
all-MiniLM-L6-v2 on CPU and prints one JSON line with items/s.

Usage: python bench/embed_st.py SENTENCES_FILE MODEL_DIR --threads 2 --batch 32 --repeats 3
"""

import argparse
import json
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sentences")
    ap.add_argument("model_dir")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(args.threads)
    with open(args.sentences, encoding="utf-8") as f:
        sentences = [line.rstrip("\n") for line in f if line.strip()]
    model = SentenceTransformer(args.model_dir, device="cpu")
    model.encode(sentences[:64], batch_size=args.batch, normalize_embeddings=True)  # warm-up
    best = float("inf")
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        model.encode(sentences, batch_size=args.batch, normalize_embeddings=True, convert_to_numpy=True)
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        best = min(best, elapsed)
    print(json.dumps({
        "engine": f"sentence-transformers {sentence_transformers.__version__} / torch {torch.__version__}",
        "items": len(sentences),
        "threads": args.threads,
        "batch": args.batch,
        "seconds": times,
        "items_per_s": len(sentences) / best,
    }))


if __name__ == "__main__":
    main()
