pub mod demo_site;
