//! The crawler end to end: one test binary (one link) for every integration test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod anhui;
mod attachment_formats;
mod crawl_attachments;
mod crawl_site;
mod faults;
mod field_accuracy;
mod govcn;
mod hanweb;
mod history;
mod labelled_pages;
mod platforms;
mod real_pages;
mod vocabulary;
