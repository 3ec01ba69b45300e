//! Attachment text extraction (PDF, DOCX, DOC/WPS, XLS/XLSX, OFD) on any
//! bytes: an error or text, never a panic, never unbounded output.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&k, bytes)) = data.split_first() else { return };
    let kind = ["pdf", "docx", "doc", "wps", "xls", "xlsx", "ofd"][usize::from(k) % 7];
    let _ = govsearch_crawler::attachments::extract_text(kind, bytes);
});
