//! Charset choice and decoding on arbitrary bytes and Content-Type headers.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First line (up to 64 bytes) is the Content-Type header, the rest the body.
    let split = data.iter().take(64).position(|&b| b == b'\n').unwrap_or(0);
    let (ct, body) = data.split_at(split);
    let ct = std::str::from_utf8(ct).ok();
    let d = govsearch_crawler::charset::decode(body, ct);
    assert!(!d.encoding.is_empty());
    // Text decoded as UTF-8 without errors is the input itself (after a BOM).
    if !d.had_errors && d.encoding == "UTF-8" {
        let body = body.strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(body);
        assert_eq!(d.text.as_bytes(), body);
    }
    let _ = govsearch_crawler::charset::meta_charset(body);
});
