//! The fuzz targets of `fuzz/` on stable Rust, bounded for CI: every seed and every kept
//! finding of `fuzz/corpus/TARGET/`, then a fixed number of seeded mutations of them
//! (bit flips, byte edits, truncations, splices and repeated chunks), through the same
//! harnesses (`fuzz/src/import.rs` and `fuzz/src/http.rs`, included by path). The long
//! coverage-guided runs are `cargo +nightly fuzz run TARGET` (see `fuzz/README.md`).

#[path = "../../../fuzz/src/http.rs"]
mod http_harness;
#[path = "../../../fuzz/src/import.rs"]
mod import_harness;

use std::path::PathBuf;

use import_harness::{Layout, import};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Mutated inputs per target.
const MUTATIONS: usize = 1_500;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("an entry").path())
        .collect();
    files.sort();
    let inputs: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("reading an input"))
        .collect();
    assert!(!inputs.is_empty(), "no seeds in {}", dir.display());
    inputs
}

/// One mutation of `input`, with `donor` for splices.
fn mutate(rng: &mut StdRng, input: &[u8], donor: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let len = out.len();
        match rng.random_range(0..8) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                out[i] ^= 1 << rng.random_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.random_range(0..len);
                out[i] = *[
                    b'\n', b',', b':', b'\t', b'"', b'\\', 0, 0xff, b'-', b'9', b'{', b']',
                ]
                .get(rng.random_range(0..12))
                .unwrap_or(&b'x');
            }
            2 if len > 0 => {
                let i = rng.random_range(0..len);
                out.remove(i);
            }
            3 => {
                let i = rng.random_range(0..=len);
                out.insert(i, rng.random());
            }
            4 if len > 1 => {
                // Keep the first byte (the harness's selector) and cut the rest.
                out.truncate(rng.random_range(1..len));
            }
            5 if !donor.is_empty() => {
                let i = rng.random_range(0..=len);
                let j = rng.random_range(0..donor.len());
                let k = rng.random_range(j..=donor.len().min(j + 64));
                out.splice(i..i, donor[j..k].iter().copied());
            }
            6 if len > 2 => {
                let i = rng.random_range(1..len);
                let j = rng.random_range(i..=len.min(i + 32));
                let chunk = out[i..j].to_vec();
                for _ in 0..rng.random_range(1..20) {
                    out.splice(j..j, chunk.iter().copied());
                }
            }
            _ => {
                // A large number where a small one was.
                let i = rng.random_range(0..=len);
                out.splice(i..i, b"99999999999999999999".iter().copied());
            }
        }
    }
    out.truncate(16 * 1024);
    out
}

fn replay(target: &str, run: impl Fn(&[u8])) {
    let inputs = corpus(target);
    for input in &inputs {
        run(input);
    }
    let mut rng = StdRng::seed_from_u64(0x0aa7_7e57);
    for _ in 0..MUTATIONS {
        let input = &inputs[rng.random_range(0..inputs.len())];
        let donor = &inputs[rng.random_range(0..inputs.len())];
        run(&mutate(&mut rng, input, donor));
    }
}

#[test]
fn import_movielens() {
    replay("import_movielens", |data| import(Layout::MovieLens, data));
}

#[test]
fn import_hetrec() {
    replay("import_hetrec", |data| import(Layout::HetRec, data));
}

#[test]
fn import_poppy() {
    replay("import_poppy", |data| import(Layout::Poppy, data));
}

#[test]
fn import_generic() {
    replay("import_generic", |data| import(Layout::Generic, data));
}

#[test]
fn http_bodies() {
    replay("http_bodies", http_harness::http);
}
