//! When a failed job runs again: exponential backoff with full jitter, capped, and a bound on
//! attempts after which the job is dead-lettered.

use std::time::Duration;

/// How failed jobs are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay ceiling after the first failed attempt; it doubles with each further attempt.
    pub base: Duration,
    /// The largest delay ever waited.
    pub cap: Duration,
    /// Attempts (claims) a job gets before it is dead-lettered. Stored on each job at enqueue.
    pub max_attempts: u32,
    /// Wait a uniformly random time in `[0, ceiling]` (AWS "full jitter") so jobs that failed
    /// together (GitHub outage) do not all retry in the same instant. `false` waits exactly the
    /// ceiling: for tests that need an exact schedule.
    pub full_jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(5),
            cap: Duration::from_secs(600),
            max_attempts: 5,
            full_jitter: true,
        }
    }
}

impl RetryPolicy {
    /// Upper bound of the wait after attempt number `attempt` (1-based) failed:
    /// `min(cap, base * 2^(attempt-1))`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(62);
        let factor = 1u64 << exponent;
        let base_ms = u64::try_from(self.base.as_millis()).unwrap_or(u64::MAX);
        let cap_ms = u64::try_from(self.cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(base_ms.saturating_mul(factor).min(cap_ms))
    }

    /// The wait after attempt `attempt` failed, given `unit`, a random draw in `[0, 1]` (ignored
    /// without jitter).
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let ceiling = self.ceiling(attempt);
        if !self.full_jitter {
            return ceiling;
        }
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        ceiling.mul_f64(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact() -> RetryPolicy {
        RetryPolicy {
            full_jitter: false,
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn ceiling_doubles_from_base_and_stops_at_cap() {
        let p = exact();
        let secs: Vec<u64> = (1..=10).map(|a| p.ceiling(a).as_secs()).collect();
        assert_eq!(secs, vec![5, 10, 20, 40, 80, 160, 320, 600, 600, 600]);
    }

    #[test]
    fn huge_attempt_numbers_saturate_at_cap() {
        assert_eq!(exact().ceiling(u32::MAX), Duration::from_secs(600));
        assert_eq!(exact().ceiling(0), Duration::from_secs(5));
    }

    #[test]
    fn full_jitter_scales_the_ceiling_by_the_draw() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(3, 0.0), Duration::ZERO);
        assert_eq!(p.delay(3, 0.5), Duration::from_secs(10));
        assert_eq!(p.delay(3, 1.0), Duration::from_secs(20));
        assert_eq!(p.delay(3, f64::NAN), Duration::ZERO);
        assert_eq!(p.delay(3, 7.0), Duration::from_secs(20));
    }

    #[test]
    fn without_jitter_the_delay_is_the_ceiling() {
        assert_eq!(exact().delay(2, 0.0), Duration::from_secs(10));
    }
}
