//! A generator of larger realistic corpora from a real one, for the scale
//! benchmarks: real titles, paragraphs and metadata recombined, ≈3 KB of body
//! per item, deterministic for a given input and count.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Body bytes aimed at per generated item.
pub const BODY_BYTES: usize = 3_000;

/// Write `count` generated records to `out` (gzip when it ends in `.gz`).
pub fn generate(corpus: &Path, count: usize, out: &Path) -> Result<()> {
    let real = crate::data::read_corpus(corpus)?;
    anyhow::ensure!(!real.is_empty(), "{} has no documents", corpus.display());
    let paragraphs: Vec<&str> =
        real.iter().flat_map(|r| r.body.lines()).filter(|l| l.chars().count() >= 20 && l.len() < 4_000).collect();
    anyhow::ensure!(!paragraphs.is_empty(), "{} has no paragraphs to recombine", corpus.display());
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut w: Box<dyn Write> = if out.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::write::GzEncoder::new(std::io::BufWriter::new(file), flate2::Compression::fast()))
    } else {
        Box::new(std::io::BufWriter::new(file))
    };
    let mut rng = crate::rng::SplitMix64(0x2026_1127);
    let mut next = move |n: usize| rng.below(n);
    for i in 0..count {
        let meta = &real[next(real.len())];
        let mut body = String::with_capacity(BODY_BYTES + 512);
        while body.len() < BODY_BYTES {
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(paragraphs[next(paragraphs.len())]);
        }
        let rec = serde_json::json!({
            "id": format!("gen:{i}"),
            "title": format!("{}（{}）", real[next(real.len())].title, i),
            "doc_number": if meta.doc_number.is_empty() { String::new() } else { format!("{}-{i}", meta.doc_number) },
            "publisher": meta.publisher,
            "category": meta.category,
            "issued_date": meta.issued_date,
            "published_date": meta.published_date,
            "validity": meta.validity,
            "body": body,
            "source": format!("generated from {}", meta.id),
        });
        serde_json::to_writer(&mut w, &rec)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn generates_valid_records_of_about_three_kilobytes() {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/docs.jsonl.gz");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("g.jsonl.gz");
        super::generate(&corpus, 50, &out).unwrap();
        let recs: Vec<crate::data::CorpusRecord> = crate::data::read_corpus(&out).unwrap();
        assert_eq!(recs.len(), 50);
        for r in &recs {
            assert!(r.body.len() >= super::BODY_BYTES && r.body.len() < super::BODY_BYTES + 4_100, "{}", r.body.len());
        }
        // Deterministic.
        let out2 = dir.path().join("g2.jsonl.gz");
        super::generate(&corpus, 50, &out2).unwrap();
        let again: Vec<crate::data::CorpusRecord> = crate::data::read_corpus(&out2).unwrap();
        assert_eq!(
            recs.iter().map(|r| &r.title).collect::<Vec<_>>(),
            again.iter().map(|r| &r.title).collect::<Vec<_>>()
        );
    }
}
