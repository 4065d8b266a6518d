use sha2::{Digest, Sha256};
use std::fmt::{self, Write as _};
use std::io::{Cursor, Write};

struct Money(i64);

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _ = write!(f, "{}.{:02}", self.0 / 100, self.0 % 100);
        Ok(())
    }
}

fn csv_line(fields: &[&str]) -> Vec<u8> {
    let mut buf = Vec::new();
    for f in fields {
        let _ = buf.write_all(f.as_bytes());
        let _ = buf.write_all(b",");
    }
    buf
}

fn summary(rows: usize) -> String {
    let mut s = format!("rows: {rows}\n");
    let _ = writeln!(s, "done");
    s
}

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut c = Cursor::new(Vec::new());
    let _ = c.write_all(payload);
    c.into_inner()
}

fn digest(body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(body);
    hasher.finalize().into()
}

// FLAG: the receiver is a real file.
fn append_audit(path: &std::path::Path, line: &str) {
    let mut file = std::fs::File::create(path).expect("audit file");
    let _ = writeln!(file, "{line}"); //~ swallowed-error
}
