//! Reading a stored document without tantivy's per-field deserialisation.
//!
//! A hit needs the `Document` kept as JSON in the `doc` field (the body is
//! most of it, 17 KB on average and up to megabytes). `Searcher::doc` copies
//! each stored text into a new `String`, validating it with the standard
//! library's UTF-8 check, which is slow on Chinese text (three-byte
//! characters): that was ~14% of a search with snippets. Here the document's
//! serialised bytes come straight from the doc store's block cache, the `doc`
//! text is found in place, validated with SIMD (`simdutf8`) and parsed once.
//!
//! The layout read is tantivy's document store format: a VInt count of
//! values, then per value a little-endian `u32` field id, a type code (0 for
//! text) and a VInt length with the bytes. Only text values are stored in
//! this schema; anything else is reported as an error, never guessed at.

/// tantivy's type code of a text value.
const TEXT_CODE: u8 = 0;

/// The text of field `field` in a serialised stored document.
pub(crate) fn text_field(bytes: &[u8], field: u32) -> Result<&str, String> {
    let mut r = Reader { bytes, at: 0 };
    let count = r.vint()?;
    for _ in 0..count {
        let id = r.u32()?;
        let code = r.byte()?;
        if code != TEXT_CODE {
            return Err(format!("value of field {id} has type code {code}, not text, at byte {}", r.at - 1));
        }
        let len = usize::try_from(r.vint()?).map_err(|_| "length does not fit in memory".to_owned())?;
        let text = r.take(len)?;
        if id == field {
            return simdutf8::basic::from_utf8(text).map_err(|_| format!("field {id} is not valid UTF-8"));
        }
    }
    Err(format!("no value for field {field} among {count}"))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.bytes.get(self.at).ok_or_else(|| format!("document ends at byte {}", self.at))?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| {
            format!("value of {n} bytes at byte {} runs past the document's {} bytes", self.at, self.bytes.len())
        })?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// tantivy's VInt: 7 bits per byte, low bits first, the last byte has its high bit set.
    fn vint(&mut self) -> Result<u64, String> {
        let start = self.at;
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 != 0 {
                return Ok(v);
            }
        }
        Err(format!("VInt at byte {start} is longer than 10 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{STORED, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::text_field;

    /// The bytes tantivy writes for a document are read back exactly, for
    /// texts whose lengths take one, two and three VInt bytes, in any field order.
    #[test]
    fn reads_what_tantivy_stores() {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING | STORED);
        let doc = b.add_text_field("doc", STORED);
        let index = Index::create_in_ram(b.build());
        let mut w: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        let texts = ["", "国务院关于印发通知", &"政府信息公开".repeat(30), &"第一条".repeat(20_000)];
        for t in texts {
            let mut d = TantivyDocument::new();
            d.add_text(id, format!("id-{}", t.len()));
            d.add_text(doc, t);
            w.add_document(d).expect("add");
        }
        w.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let segment = &searcher.segment_readers()[0];
        let store = segment.get_store_reader(4).expect("store");
        for (n, t) in texts.iter().enumerate() {
            let bytes = store.get_document_bytes(n as u32).expect("bytes");
            assert_eq!(text_field(&bytes, doc.field_id()), Ok(*t));
            assert_eq!(text_field(&bytes, id.field_id()), Ok(format!("id-{}", t.len()).as_str()));
            assert!(text_field(&bytes, 7).expect_err("no field 7").contains("no value for field 7"));
        }
    }

    #[test]
    fn damaged_bytes_are_errors_not_panics() {
        // count 1, field 1, text, length 5 but only 2 bytes.
        let short = [0x81, 1, 0, 0, 0, 0, 0x85, b'a', b'b'];
        assert!(text_field(&short, 1).expect_err("short").contains("runs past"));
        let not_text = [0x81, 1, 0, 0, 0, 2, 0x81, 7];
        assert!(text_field(&not_text, 1).expect_err("u64").contains("type code 2"));
        let bad_utf8 = [0x81, 1, 0, 0, 0, 0, 0x82, 0xe5, 0x9b];
        assert!(text_field(&bad_utf8, 1).expect_err("utf8").contains("not valid UTF-8"));
        let long_vint = [0xff_u8; 3].iter().chain(&[0x7f; 12]).copied().collect::<Vec<u8>>();
        assert!(text_field(&long_vint, 1).is_err());
        for n in 0..short.len() {
            let _ = text_field(&short[..n], 1);
        }
    }
}
