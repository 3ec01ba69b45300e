//! Behind a real reverse proxy: nginx on loopback in front of `serve`, as the
//! README's nginx block configures it. Many clients, each from its own
//! loopback address, get a bucket each; a spoofed `X-Forwarded-For` changes
//! nothing, whether sent through the proxy or straight to the server.
//!
//! Needs Debian's `nginx` (scripts/test.sh installs it).

use std::net::IpAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use govsearch::server::{
    self,
    ratelimit::{RateLimiter, TrustedProxies},
};

/// Requests a client may make at once; one more is over.
const BURST: u32 = 3;
/// Distinct clients through the proxy.
const CLIENTS: u8 = 24;

struct Nginx {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// nginx in the foreground, proxying `127.0.0.1:{port}` to `upstream`, with
/// the README's proxy headers.
async fn nginx(upstream: std::net::SocketAddr) -> (Nginx, u16) {
    let bin = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("the proxy test needs Debian's nginx: apt-get install nginx-light (scripts/test.sh does)");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let d = dir.path().display();
    let conf = format!(
        r#"daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"#
    );
    let path = dir.path().join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let child = Command::new(bin)
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let nginx = Nginx { child, _dir: dir };
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return (nginx, port);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("nginx did not listen on 127.0.0.1:{port}");
}

/// A client whose connections come from `from`.
fn client_from(from: IpAddr) -> reqwest::Client {
    reqwest::Client::builder().local_address(from).no_proxy().build().unwrap()
}

/// Statuses of `n` searches by `client` at `base`, each with `xff` if given.
async fn statuses(
    client: &reqwest::Client,
    base: &str,
    n: u32,
    xff: Option<&(dyn Fn(u32) -> String + Sync)>,
) -> Vec<u16> {
    let mut out = Vec::new();
    for i in 0..n {
        let mut req = client.get(format!("{base}/api/search?q=通知"));
        if let Some(f) = xff {
            req = req.header("x-forwarded-for", f(i));
        }
        out.push(req.send().await.unwrap().status().as_u16());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_nginx_every_client_has_its_own_bucket_and_spoofing_changes_nothing() {
    govsearch_crawler::fetch::install_crypto_provider();
    let fx = crate::common::fixture();
    let mut state = fx.state.clone();
    // trust only the proxy's own address: the test's clients come from other loopback addresses
    let trusted = TrustedProxies::of(vec!["127.0.0.1".parse().unwrap()]);
    state.rate_limit = Some(Arc::new(RateLimiter::new(0.01, BURST, trusted)));
    let listener = server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let upstream = listener.local_addr().unwrap();
    tokio::spawn(server::serve_on(state, listener));
    let (_nginx, port) = nginx(upstream).await;
    let proxy = format!("http://127.0.0.1:{port}");
    let direct = format!("http://{upstream}");
    let within = vec![200; BURST as usize];
    let mut over = within.clone();
    over.push(429);

    // many clients through the proxy: each its own burst, then 429 — never the proxy's one bucket
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let proxy = proxy.clone();
        tasks.push(tokio::spawn(async move {
            let client = client_from(IpAddr::from([127, 0, 1, 10 + c]));
            statuses(&client, &proxy, BURST + 1, None).await
        }));
    }
    for (c, t) in tasks.into_iter().enumerate() {
        assert_eq!(t.await.unwrap(), over, "client {c} through the proxy");
    }

    // a client through the proxy forging a new address on every request is still one client
    let forger = client_from(IpAddr::from([127, 0, 2, 1]));
    let forged = |i: u32| format!("198.51.100.{}", i + 1);
    assert_eq!(statuses(&forger, &proxy, BURST + 1, Some(&forged)).await, over, "forged entries left of the proxy's");

    // straight to the server from an untrusted peer: the header is ignored
    let direct_forger = client_from(IpAddr::from([127, 0, 3, 1]));
    assert_eq!(statuses(&direct_forger, &direct, BURST + 1, Some(&forged)).await, over, "an untrusted peer's header");
    // ...and cannot take another client's bucket: 127.0.4.1 through the proxy still has its whole burst
    let victim = client_from(IpAddr::from([127, 0, 4, 1]));
    let as_victim = |_| "127.0.4.1".to_owned();
    let _ = statuses(&direct_forger, &direct, 2, Some(&as_victim)).await;
    assert_eq!(statuses(&victim, &proxy, BURST, None).await, within, "the victim's bucket is untouched");
}
