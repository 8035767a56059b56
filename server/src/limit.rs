//! A per-IP limit on form submissions: at most `max` in any `window` (a sliding window, kept in
//! memory; with several server processes each applies the limit on its own).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    max: usize,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max: max as usize,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Records a submission from `ip` and says whether it is allowed.
    pub fn allow(&self, ip: IpAddr) -> bool {
        self.allow_at(ip, Instant::now())
    }

    fn allow_at(&self, ip: IpAddr, now: Instant) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            // A poisoned lock means a panic elsewhere; do not block the public because of it.
            return true;
        };
        if seen.len() > 10_000 {
            seen.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        let times = seen.entry(ip).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        if times.len() >= self.max {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_max_per_window_per_address() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let t0 = Instant::now();
        assert!(limiter.allow_at(a, t0));
        assert!(limiter.allow_at(a, t0 + Duration::from_secs(1)));
        assert!(!limiter.allow_at(a, t0 + Duration::from_secs(2)));
        assert!(limiter.allow_at(b, t0 + Duration::from_secs(2)));
        assert!(limiter.allow_at(a, t0 + Duration::from_secs(61)));
    }
}
