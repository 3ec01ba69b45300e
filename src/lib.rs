//! govsearch: the glue between the crawler, the catalogue and the people who
//! use them — CLI commands, the HTTP server (JSON API, public pages, staff
//! pages) and the bundled demo site. Behaviour lives in `govsearch-crawler`
//! and `govsearch-index`; this crate wires them together.

pub mod bench;
pub mod cli;
pub mod commands;
pub mod data;
pub mod demo_site;
pub mod docx;
pub mod eval;
pub mod metrics;
pub mod pipeline;
pub mod render;
pub mod reports;
pub mod rng;
pub mod scale;
pub mod server;
