//! How long a new token may live: no longer than its workspace allows, and never longer than the
//! token that creates it ("a token cannot outlive its maker"; a creator that never expires
//! imposes nothing). Create requests that ask for more are refused with the limit named;
//! rotations keep the old lifetime but are cut to the limits, and say so.

use serde::Serialize;
use utoipa::ToSchema;

use crate::state::rfc3339;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Why a new token's expiry was cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CappedBy {
    /// The workspace's maximum expiry.
    Workspace,
    /// The expiry of the token that created it.
    Creator,
}

/// The limits on a new token's lifetime.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpiryLimits {
    /// The workspace's maximum, in days.
    pub workspace_days: Option<i64>,
    /// The creating token's `exp`; `None` when it never expires (or for the CLI).
    pub creator_expires_at: Option<i64>,
}

impl ExpiryLimits {
    /// Whole days left to the creator, rounded up (a choice of that many days is cut to the
    /// creator's own expiry).
    fn creator_days(&self, now: i64) -> Option<i64> {
        self.creator_expires_at
            .map(|exp| ((exp - now).max(1) + DAY - 1) / DAY)
    }

    /// The most days a create request may ask for, and which limit that is (`None`: no limit).
    pub fn max_days(&self, now: i64) -> Option<(i64, CappedBy)> {
        match (self.workspace_days, self.creator_days(now)) {
            (Some(w), Some(c)) if c <= w => Some((c, CappedBy::Creator)),
            (Some(w), _) => Some((w, CappedBy::Workspace)),
            (None, Some(c)) => Some((c, CappedBy::Creator)),
            (None, None) => None,
        }
    }

    /// Why `days` (`None`: never expires) is refused, or `None` when it is allowed.
    pub fn refusal(&self, now: i64, days: Option<i64>) -> Option<String> {
        let (max, by) = self.max_days(now)?;
        if days.is_some_and(|d| d <= max) {
            return None;
        }
        Some(match (by, days) {
            (CappedBy::Workspace, Some(_)) => format!("this workspace allows at most {max} days"),
            (CappedBy::Workspace, None) => {
                format!("this workspace requires an expiry of at most {max} days")
            }
            (CappedBy::Creator, _) => format!(
                "a token cannot outlive the token that creates it; yours expires at {}, so choose at most {max} days",
                rfc3339(self.creator_expires_at.unwrap_or(now))
            ),
        })
    }

    /// `lifetime` (seconds; `None`: never expires) cut to the limits, and why it was cut.
    pub fn clamp(&self, now: i64, lifetime: Option<i64>) -> (Option<i64>, Option<CappedBy>) {
        let mut out = lifetime;
        let mut why = None;
        let caps = [
            (self.workspace_days.map(|d| d * DAY), CappedBy::Workspace),
            (
                self.creator_expires_at.map(|exp| (exp - now).max(1)),
                CappedBy::Creator,
            ),
        ];
        for (cap, by) in caps {
            if let Some(cap) = cap {
                if out.is_none_or(|l| l > cap) {
                    out = Some(cap);
                    why = Some(by);
                }
            }
        }
        (out, why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000;

    #[test]
    fn no_limits_allow_anything() {
        let l = ExpiryLimits::default();
        assert_eq!(l.max_days(NOW), None);
        assert_eq!(l.refusal(NOW, None), None);
        assert_eq!(l.clamp(NOW, None), (None, None));
    }

    #[test]
    fn a_creator_caps_what_it_makes() {
        let l = ExpiryLimits {
            workspace_days: None,
            creator_expires_at: Some(NOW + 86_400 + 10),
        };
        assert_eq!(l.max_days(NOW), Some((2, CappedBy::Creator)));
        assert!(l.refusal(NOW, None).unwrap().contains("cannot outlive"));
        assert!(l.refusal(NOW, Some(3)).is_some());
        assert_eq!(l.refusal(NOW, Some(2)), None);
        assert_eq!(
            l.clamp(NOW, Some(2 * DAY)),
            (Some(DAY + 10), Some(CappedBy::Creator))
        );
        assert_eq!(l.clamp(NOW, Some(DAY)), (Some(DAY), None));
    }

    #[test]
    fn the_smaller_limit_wins() {
        let l = ExpiryLimits {
            workspace_days: Some(30),
            creator_expires_at: Some(NOW + 90 * DAY),
        };
        assert_eq!(l.max_days(NOW), Some((30, CappedBy::Workspace)));
        assert_eq!(
            l.clamp(NOW, None),
            (Some(30 * DAY), Some(CappedBy::Workspace))
        );
        assert!(l
            .refusal(NOW, Some(31))
            .unwrap()
            .contains("at most 30 days"));
        assert!(l.refusal(NOW, None).unwrap().contains("requires an expiry"));
    }
}
