//! Deliveries: take the due ones, post them signed, record what happened.
//!
//! - **At least once.** Taking a delivery moves its next attempt past the attempt's timeout (a
//!   lease) and counts the attempt, conditional on what was read, so one replica makes each
//!   attempt; a replica that dies mid-attempt leaves the delivery to be taken again when the
//!   lease ends. A receiver may therefore see a delivery twice: `webhook-id` is the same.
//! - **In order per token.** Only the oldest pending delivery of a token to an endpoint is
//!   taken; the next waits until it is delivered or given up.
//! - **Retries.** A delivery that fails (no answer, or not 2xx; redirects are not followed) is
//!   tried again after the configured pauses (Standard Webhooks' schedule by default), the last
//!   pause repeating, until it is older than the retry period (24 h); then it is `failed`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::db::models::{AttemptRow, DeliveryRow, WebhookRow};
use crate::db::queries::webhooks::{self as q, Outcome};
use crate::db::{DbConn, DbError};
use crate::keys::Kek;

/// How many due deliveries one round looks at.
const LOOK_AT: i64 = 64;
/// The longest error text kept for an attempt.
const MAX_ERROR: usize = 300;

/// The retry policy and timeout, from the configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Pauses after the 1st, 2nd, … failed attempt, seconds (the last repeats).
    pub retry_secs: Vec<u64>,
    /// Give up on a delivery this long after its event.
    pub retry_for_secs: i64,
    /// The longest an attempt may take.
    pub timeout: Duration,
}

impl Policy {
    /// The policy of `config`.
    pub fn of(config: &crate::config::Config) -> Policy {
        Policy {
            retry_secs: config.webhook_retry_secs.clone(),
            retry_for_secs: i64::try_from(config.webhook_retry_for_secs).unwrap_or(i64::MAX),
            timeout: Duration::from_secs(config.webhook_timeout_secs),
        }
    }

    /// A taken delivery is someone else's to retry after this many seconds.
    fn lease_secs(&self) -> i64 {
        i64::try_from(self.timeout.as_secs()).unwrap_or(60) + 5
    }

    /// What follows attempt number `attempt` of `delivery` (2xx: `ok`), made at `now`.
    pub fn outcome(&self, delivery: &DeliveryRow, attempt: i64, ok: bool, now: i64) -> Outcome {
        if ok {
            return Outcome {
                state: q::DELIVERED,
                next_attempt_at: None,
                delivered_at: Some(now),
            };
        }
        let index = usize::try_from(attempt - 1).unwrap_or(0);
        let pause = self
            .retry_secs
            .get(index)
            .or(self.retry_secs.last())
            .copied()
            .unwrap_or(60);
        let next = now.saturating_add(i64::try_from(pause).unwrap_or(i64::MAX));
        if next > delivery.created_at.saturating_add(self.retry_for_secs) {
            Outcome {
                state: q::FAILED,
                next_attempt_at: None,
                delivered_at: None,
            }
        } else {
            Outcome {
                state: q::PENDING,
                next_attempt_at: Some(next),
                delivered_at: None,
            }
        }
    }
}

/// A delivery taken for one attempt, with its endpoint.
#[derive(Debug)]
pub struct Taken {
    /// The delivery (its `attempts` is this attempt's number).
    pub delivery: DeliveryRow,
    /// Where it goes.
    pub hook: WebhookRow,
}

/// Takes up to `max` due deliveries, the oldest pending one per token and endpoint.
///
/// # Errors
/// Storage failed.
pub fn take_due(
    conn: &mut DbConn,
    policy: &Policy,
    now: i64,
    max: usize,
) -> Result<Vec<Taken>, DbError> {
    let due = q::due(conn, now, LOOK_AT)?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let mut token_ids: Vec<String> = due.iter().filter_map(|d| d.token_id.clone()).collect();
    token_ids.sort();
    token_ids.dedup();
    // (endpoint, token) → its oldest pending event and when that one is tried next: only it may
    // go now.
    let mut first: HashMap<(String, String), (String, i64)> = HashMap::new();
    for (hook, token, event, next) in q::pending_of_tokens(conn, &token_ids)? {
        let Some(token) = token else { continue };
        let next = next.unwrap_or(now);
        let slot = first
            .entry((hook, token))
            .or_insert_with(|| (event.clone(), next));
        if event < slot.0 {
            *slot = (event, next);
        }
    }
    let mut hooks: HashMap<String, Option<WebhookRow>> = HashMap::new();
    let mut taken = Vec::new();
    for mut delivery in due {
        if taken.len() >= max {
            break;
        }
        if let Some(token) = &delivery.token_id {
            let key = (delivery.webhook_id.clone(), token.clone());
            if let Some((earlier, next)) = first.get(&key).filter(|(e, _)| *e != delivery.event_id)
            {
                // It waits for `earlier`: not due before that one is tried again, so a backlog
                // behind a failing endpoint cannot fill the rows a round looks at.
                let _ = earlier;
                q::defer(conn, &delivery, (*next).max(now + 1))?;
                continue;
            }
        }
        if !hooks.contains_key(&delivery.webhook_id) {
            let hook = q::get(conn, &delivery.webhook_id)?;
            hooks.insert(delivery.webhook_id.clone(), hook);
        }
        let Some(Some(hook)) = hooks.get(&delivery.webhook_id) else {
            continue;
        };
        if q::claim(conn, &delivery, now, now + policy.lease_secs())? {
            delivery.attempts += 1;
            taken.push(Taken {
                delivery,
                hook: hook.clone(),
            });
        }
    }
    Ok(taken)
}

/// What one attempt got: the status (none when no answer came) and the error.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: Option<u16>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// How long it took.
    pub duration: Duration,
}

impl Answer {
    /// True for a 2xx answer.
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// An HTTP client for deliveries: no redirects, the attempt timeout, statuses as answers.
pub fn agent(policy: &Policy) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(policy.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(concat!("gatepass-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Posts one delivery, signed with the endpoint's secret, stamped `now`.
pub fn post(agent: &ureq::Agent, kek: &Kek, taken: &Taken, now: i64) -> Answer {
    let started = Instant::now();
    let d = &taken.delivery;
    let signed = super::endpoints::secret(kek, &taken.hook)
        .map_err(|e| e.to_string())
        .and_then(|secret| {
            super::signature::sign(&secret, &d.event_id, now, &d.body).map_err(str::to_owned)
        });
    let result = signed
        .map_err(|e| format!("cannot sign: {e}"))
        .and_then(|signature| {
            agent
                .post(&taken.hook.url)
                .header("content-type", "application/json")
                .header("webhook-id", &d.event_id)
                .header("webhook-timestamp", now.to_string())
                .header("webhook-signature", signature)
                .send(d.body.as_str())
                .map(|r| r.status().as_u16())
                .map_err(|e| e.to_string())
        });
    let (status, error) = match result {
        Ok(s) if (200..300).contains(&s) => (Some(s), None),
        Ok(s) if (300..400).contains(&s) => (Some(s), Some("redirects are not followed".into())),
        Ok(s) => (Some(s), Some(format!("the endpoint answered {s}"))),
        Err(e) => (None, Some(e)),
    };
    Answer {
        status,
        error: error.map(|e| e.chars().take(MAX_ERROR).collect()),
        duration: started.elapsed(),
    }
}

/// Records the answer to attempt `taken.delivery.attempts`, made at `now`.
///
/// # Errors
/// Storage failed (the lease then runs out and the delivery is tried again).
pub fn record(
    conn: &mut DbConn,
    policy: &Policy,
    taken: &Taken,
    answer: &Answer,
    now: i64,
) -> Result<(), DbError> {
    let d = &taken.delivery;
    let outcome = policy.outcome(d, d.attempts, answer.ok(), now);
    let attempt = AttemptRow {
        webhook_id: d.webhook_id.clone(),
        event_id: d.event_id.clone(),
        attempt: d.attempts,
        at: now,
        status: answer.status.map(i64::from),
        error: answer.error.clone(),
        duration_ms: i64::try_from(answer.duration.as_millis()).unwrap_or(i64::MAX),
    };
    crate::db::write_tx(conn, |c| {
        q::record(c, &attempt, &outcome, d.token_id.as_deref())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(created_at: i64) -> DeliveryRow {
        DeliveryRow {
            webhook_id: "wh_1".into(),
            event_id: "evt_1".into(),
            event_type: "token.created".into(),
            token_id: Some("tok_1".into()),
            body: "{}".into(),
            created_at,
            state: q::PENDING.into(),
            attempts: 0,
            next_attempt_at: Some(created_at),
            last_attempt_at: None,
            last_status: None,
            last_error: None,
            delivered_at: None,
        }
    }

    #[test]
    fn failures_back_off_by_the_schedule_then_give_up_after_the_period() {
        let policy = Policy {
            retry_secs: vec![5, 300, 1800],
            retry_for_secs: 86_400,
            timeout: Duration::from_secs(10),
        };
        let d = delivery(1000);
        assert_eq!(
            policy.outcome(&d, 1, false, 1000).next_attempt_at,
            Some(1005)
        );
        assert_eq!(
            policy.outcome(&d, 2, false, 1005).next_attempt_at,
            Some(1305)
        );
        // The last pause repeats.
        assert_eq!(
            policy.outcome(&d, 9, false, 5000).next_attempt_at,
            Some(6800)
        );
        let late = policy.outcome(&d, 40, false, 1000 + 86_000);
        assert_eq!((late.state, late.next_attempt_at), (q::FAILED, None));
        let ok = policy.outcome(&d, 3, true, 2000);
        assert_eq!((ok.state, ok.delivered_at), (q::DELIVERED, Some(2000)));
    }
}
