//! Failed sign-ins limited per client address and per token id.
//!
//! Every presented bearer token that does not authenticate costs one cell of two `governor`
//! budgets: its client address's and its token id's. When a budget is spent, requests from
//! that address (or naming that token id) that carry a token are answered 429 with
//! `Retry-After` *before* the token is checked, so a guesser learns nothing more until the
//! budget refills — while other addresses, and requests without a token, are unaffected.
//! Successful sign-ins cost nothing. Every failure is logged through tracing with the address
//! and the token id's first characters, never the secret.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// How many failed sign-ins are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleConfig {
    /// Failures one client address may make at once.
    pub address_burst: u32,
    /// Failures per minute an address earns back.
    pub address_per_minute: u32,
    /// Failures one token id may see at once.
    pub token_burst: u32,
    /// Failures per minute a token id earns back.
    pub token_per_minute: u32,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            address_burst: 20,
            address_per_minute: 30,
            token_burst: 5,
            token_per_minute: 6,
        }
    }
}

/// What a budget is kept for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Address(IpAddr),
    Token(String),
}

/// The failed-sign-in budgets of a running server.
pub struct AuthThrottle {
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    tokens: DefaultKeyedRateLimiter<String>,
    /// Keys whose budget is spent, and until when.
    blocked: Mutex<HashMap<Key, Instant>>,
    clock: DefaultClock,
}

/// Above this many remembered keys, budgets that have refilled are forgotten.
const PRUNE_ABOVE: usize = 10_000;

fn quota(burst: u32, per_minute: u32) -> Quota {
    let per_minute = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

/// The token id part of a bearer token (`clt_<id>_<secret>`), at most 26 characters, when
/// the token has that shape.
pub fn token_id(bearer: &str) -> Option<&str> {
    let rest = bearer.strip_prefix("clt_")?;
    let (id, _secret) = rest.split_once('_')?;
    (!id.is_empty() && id.len() <= 26 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(id)
}

impl AuthThrottle {
    /// Budgets as configured.
    pub fn new(config: ThrottleConfig) -> Self {
        AuthThrottle {
            addresses: RateLimiter::keyed(quota(config.address_burst, config.address_per_minute)),
            tokens: RateLimiter::keyed(quota(config.token_burst, config.token_per_minute)),
            blocked: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
        }
    }

    /// How long to wait before `address` may present `bearer` again, or `None` when it may
    /// now.
    pub fn wait(&self, address: IpAddr, bearer: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = |key: Key| match blocked.get(&key) {
            Some(until) if *until > now => Some(*until - now),
            Some(_) => {
                blocked.remove(&key);
                None
            }
            None => None,
        };
        let by_address = wait(Key::Address(address));
        let by_token = token_id(bearer).and_then(|id| wait(Key::Token(id.to_string())));
        by_address.max(by_token)
    }

    /// Counts a failed sign-in from `address` with `bearer`, and logs it.
    pub fn failed(&self, address: IpAddr, bearer: &str) {
        let id = token_id(bearer);
        let prefix: String = id.unwrap_or("-").chars().take(8).collect();
        tracing::warn!(%address, token_id_prefix = %prefix, "authentication failed");
        let now = self.clock.now();
        let mut spent = Vec::new();
        if let Err(not_until) = self.addresses.check_key(&address) {
            spent.push((Key::Address(address), not_until.wait_time_from(now)));
        }
        if let Some(id) = id
            && let Err(not_until) = self.tokens.check_key(&id.to_string())
        {
            spent.push((Key::Token(id.to_string()), not_until.wait_time_from(now)));
        }
        if self.addresses.len() + self.tokens.len() > PRUNE_ABOVE {
            self.addresses.retain_recent();
            self.tokens.retain_recent();
        }
        if spent.is_empty() {
            return;
        }
        let at = Instant::now();
        let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        if blocked.len() > PRUNE_ABOVE {
            blocked.retain(|_, until| *until > at);
        }
        for (key, wait) in spent {
            tracing::warn!(
                %address,
                token_id_prefix = %prefix,
                retry_after_ms = wait.as_millis() as u64,
                "too many failed sign-ins: throttled"
            );
            blocked.insert(key, at + wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "clt_01JABCDEFGHJKMNPQRSTVWXYZ0_00ff";

    #[test]
    fn an_address_is_throttled_after_its_burst_and_others_are_not() {
        let throttle = AuthThrottle::new(ThrottleConfig {
            address_burst: 3,
            address_per_minute: 1,
            token_burst: 100,
            token_per_minute: 100,
        });
        let attacker: IpAddr = "127.0.0.9".parse().unwrap();
        let other: IpAddr = "127.0.0.10".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(throttle.wait(attacker, "nonsense"), None);
            throttle.failed(attacker, "nonsense");
        }
        assert_eq!(throttle.wait(attacker, "nonsense"), None, "the burst is 3");
        throttle.failed(attacker, "nonsense");
        let wait = throttle.wait(attacker, TOKEN).expect("throttled");
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert_eq!(throttle.wait(other, TOKEN), None);
    }

    #[test]
    fn a_token_id_is_throttled_from_every_address() {
        let throttle = AuthThrottle::new(ThrottleConfig {
            address_burst: 100,
            address_per_minute: 100,
            token_burst: 2,
            token_per_minute: 1,
        });
        for i in 0..3u8 {
            throttle.failed(IpAddr::from([10, 0, 0, i]), TOKEN);
        }
        assert!(throttle.wait(IpAddr::from([10, 0, 0, 99]), TOKEN).is_some());
        assert_eq!(
            throttle.wait(IpAddr::from([10, 0, 0, 99]), "clt_01JOTHERTOKEN_00"),
            None
        );
    }

    #[test]
    fn the_token_id_is_read_without_the_secret() {
        assert_eq!(token_id(TOKEN), Some("01JABCDEFGHJKMNPQRSTVWXYZ0"));
        assert_eq!(token_id("clt_x"), None);
        assert_eq!(token_id("Bearer"), None);
    }
}
