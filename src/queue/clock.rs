//! Where the job store reads the time. Production uses the system clock; tests drive a manual
//! clock so lease expiry and backoff are checked without sleeping.

use std::fmt::Debug;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// A source of the current time, in Unix milliseconds (the unit every stored timestamp uses).
pub trait Clock: Send + Sync + Debug {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;
}

/// The machine's wall clock. Replicas sharing one PostgreSQL database compare leases with their
/// own clocks, so keep them NTP-synchronised (a skew of seconds is harmless next to a lease).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        Utc::now().timestamp_millis()
    }
}

/// A clock that only moves when told to: for tests of lease expiry and retry backoff.
#[derive(Debug)]
pub struct ManualClock {
    millis: AtomicI64,
}

impl ManualClock {
    /// A clock standing at `start_millis` (Unix milliseconds).
    pub fn new(start_millis: i64) -> Self {
        ManualClock {
            millis: AtomicI64::new(start_millis),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.millis.fetch_add(duration_millis(by), Ordering::SeqCst);
    }

    /// The clock's current time.
    pub fn now(&self) -> DateTime<Utc> {
        millis_to_datetime(self.now_millis())
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.millis.load(Ordering::SeqCst)
    }
}

/// `d` in whole milliseconds, saturating at `i64::MAX`.
pub(crate) fn duration_millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Unix milliseconds as a UTC time (out-of-range values clamp to the epoch, never panic).
pub(crate) fn millis_to_datetime(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::UNIX_EPOCH)
}
