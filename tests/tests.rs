//! One integration-test binary (faster to link than one per file).
#![allow(clippy::unwrap_used)]

mod api;
mod browser;
mod cli;
mod common;
mod e2e;
mod feed;
mod pages;
mod proxy;
mod staff;
