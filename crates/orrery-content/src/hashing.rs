//! The fallback encoder: feature hashing of words, word pairs and character n-grams into
//! 384 signed buckets, L2-normalized. It needs no model files, so Orrery always has
//! content vectors; they capture shared vocabulary, not meaning, which is why callers are
//! told whenever it is the one in use.

/// Output dimension, equal to all-MiniLM-L6-v2's so stored vectors keep one shape.
pub const HASHING_DIM: usize = 384;

/// Character n-gram lengths taken inside each word (with boundary markers).
const CHAR_NGRAMS: std::ops::RangeInclusive<usize> = 3..=5;

/// Relative weights: whole words carry most of the signal, pairs add phrase order,
/// character n-grams let spelling variants ("recommend", "recommender") meet.
const WORD_WEIGHT: f32 = 1.0;
const PAIR_WEIGHT: f32 = 0.5;
const CHAR_WEIGHT: f32 = 0.25;

/// Encodes one text into `out` (length [`HASHING_DIM`]). The result is unit-length; an
/// input without any word maps to a fixed "empty" direction rather than a zero vector,
/// so cosine similarity stays defined.
pub(crate) fn encode_into(text: &str, out: &mut [f32]) {
    out.fill(0.0);
    let lowered = text.to_lowercase();
    let words: Vec<&str> = lowered
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        add(out, b"\x00empty", 1.0);
    }
    let mut gram = String::new();
    for word in &words {
        add(out, word.as_bytes(), WORD_WEIGHT);
        let chars: Vec<char> = std::iter::once('<')
            .chain(word.chars())
            .chain(std::iter::once('>'))
            .collect();
        for n in CHAR_NGRAMS {
            for window in chars.windows(n) {
                gram.clear();
                gram.push('#');
                gram.extend(window);
                add(out, gram.as_bytes(), CHAR_WEIGHT);
            }
        }
    }
    for pair in words.windows(2) {
        gram.clear();
        gram.push_str(pair[0]);
        gram.push(' ');
        gram.push_str(pair[1]);
        add(out, gram.as_bytes(), PAIR_WEIGHT);
    }
    crate::kernels::normalize(out);
}

/// Adds a feature to its bucket with a sign from an independent hash bit, so that
/// collisions cancel on average instead of piling up.
fn add(out: &mut [f32], feature: &[u8], weight: f32) {
    let h = fnv1a64(feature);
    let bucket = (h % out.len() as u64) as usize;
    let sign = if (h >> 63) == 0 { 1.0 } else { -1.0 };
    out[bucket] += sign * weight;
}

/// FNV-1a, 64-bit: stable across platforms and releases, which stored vectors rely on.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // FNV's high bits mix poorly for short inputs; a final avalanche step fixes the sign bit.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::dot;

    fn enc(text: &str) -> Vec<f32> {
        let mut v = vec![0.0; HASHING_DIM];
        encode_into(text, &mut v);
        v
    }

    #[test]
    fn unit_length_and_deterministic() {
        for text in [
            "",
            "   ",
            "Hello world",
            "ünïcödé テスト 🚀",
            &"long ".repeat(2000),
        ] {
            let v = enc(text);
            assert!((dot(&v, &v) - 1.0).abs() < 1e-5, "{text:?}");
            assert_eq!(v, enc(text));
        }
    }

    #[test]
    fn shared_words_score_higher_than_unrelated_text() {
        let a = enc("Machine learning for beginners with Python");
        let b = enc("A beginner's guide to machine learning in Python");
        let c = enc("Slow-cooked lamb with rosemary and garlic");
        assert!(
            dot(&a, &b) > dot(&a, &c) + 0.2,
            "{} vs {}",
            dot(&a, &b),
            dot(&a, &c)
        );
    }

    #[test]
    fn case_and_punctuation_do_not_matter() {
        let a = enc("Recommendation Systems 101!");
        let b = enc("recommendation systems 101");
        assert!((dot(&a, &b) - 1.0).abs() < 1e-5);
    }
}
