//! Create requests: validation (422 with the offending fields) and the minting rules (no scope
//! escalation, no other workspace, only `tokens:admin` mints for others, no token outliving its
//! workspace's cap or its maker; see docs/api.md).

use serde::Deserialize;
use utoipa::ToSchema;

use super::caps::ExpiryLimits;
use super::error::ServiceError;
use super::text::{self, TextKind};
use super::{Caller, MintSpec};
use crate::problem::FieldError;
use crate::scopes::Catalog;

/// `POST /v1/tokens`.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    /// 1–100 characters, not blank (stored without surrounding whitespace).
    #[schema(required = true, nullable = false, min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// At most 1000 characters; line breaks allowed.
    #[schema(max_length = 1000)]
    pub description: Option<String>,
    /// Scopes (expanded by implications); at least one here or through `preset`.
    pub scopes: Option<Vec<String>>,
    /// A preset id; its scopes are added to `scopes`.
    pub preset: Option<String>,
    /// 1–3650, or null/absent for a token that never expires.
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<i64>,
    /// Another subject (needs `tokens:admin`): 1–200 characters, not blank.
    #[schema(min_length = 1, max_length = 200)]
    pub subject: Option<String>,
}

fn field(errors: &mut Vec<FieldError>, name: &str, message: impl Into<String>) {
    errors.push(FieldError {
        field: name.into(),
        message: message.into(),
    });
}

/// Checks `req` for `caller` under `limits` (the workspace cap and the caller's own expiry) at
/// time `now`.
///
/// # Errors
/// 422 listing every invalid field, or 403 for a scope or subject the caller may not grant.
pub fn create_spec(
    req: CreateRequest,
    caller: &Caller,
    catalog: &Catalog,
    limits: ExpiryLimits,
    now: i64,
) -> Result<MintSpec, ServiceError> {
    let mut errors = Vec::new();
    // The limit counts the name as sent (what the document's maxLength says); it is stored
    // without surrounding whitespace.
    let sent = req.name.as_deref().unwrap_or("");
    let name = sent.trim().to_owned();
    match (name.chars().count(), sent.chars().count()) {
        (0, _) => field(&mut errors, "name", "is required (1 to 100 characters)"),
        (_, n) if n > 100 => field(
            &mut errors,
            "name",
            format!("is {n} characters long; at most 100 are allowed"),
        ),
        _ => {
            // As sent: a control character is refused even where trimming would drop it.
            if let Some(problem) = text::problem(sent, TextKind::Name) {
                field(&mut errors, "name", problem);
            }
        }
    }
    let description = req.description.unwrap_or_default();
    if description.chars().count() > 1000 {
        field(
            &mut errors,
            "description",
            "at most 1000 characters are allowed",
        );
    } else if let Some(problem) = text::problem(&description, TextKind::Description) {
        field(&mut errors, "description", problem);
    }
    let mut requested = req.scopes.unwrap_or_default();
    if let Some(preset) = &req.preset {
        match catalog.preset(preset) {
            Some(p) => requested.extend(p.scopes.iter().cloned()),
            None => field(
                &mut errors,
                "preset",
                format!("unknown preset \"{preset}\""),
            ),
        }
    }
    let scopes = match catalog.expand(&requested) {
        Ok(s) if s.is_empty() && req.preset.is_none() => {
            field(
                &mut errors,
                "scopes",
                "give at least one scope, or a preset",
            );
            s
        }
        Ok(s) => s,
        Err(unknown) => {
            field(&mut errors, "scopes", unknown.to_string());
            Vec::new()
        }
    };
    let lifetime_secs = match req.expires_in_days {
        Some(d) if !(1..=3650).contains(&d) => {
            field(
                &mut errors,
                "expires_in_days",
                "must be 1 to 3650, or null for a token that never expires",
            );
            None
        }
        days => {
            if let Some(why) = limits.refusal(now, days) {
                field(&mut errors, "expires_in_days", why);
            }
            days.map(|d| d * 86_400)
        }
    };
    let subject = match req.subject {
        Some(s) => {
            if let Some(problem) = text::subject_problem(&s) {
                field(&mut errors, "subject", problem);
            }
            s
        }
        None => caller.subject.clone(),
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    authorize(caller, &scopes, &subject)?;
    Ok(MintSpec {
        workspace: caller.workspace.clone(),
        subject,
        name,
        description,
        scopes,
        lifetime_secs,
        not_after: limits.creator_expires_at,
        created_by: Some(caller.token_id.clone()),
        rotated_from: None,
        platform: false,
    })
}

/// The minting rules: only scopes the caller holds; only `tokens:admin` for another subject.
///
/// # Errors
/// 403 naming the first scope the caller lacks, or the subject rule.
pub fn authorize(caller: &Caller, scopes: &[String], subject: &str) -> Result<(), ServiceError> {
    if let Some(missing) = scopes.iter().find(|s| !caller.has(s)) {
        return Err(ServiceError::Forbidden(format!(
            "you cannot grant the scope \"{missing}\": your token does not hold it"
        )));
    }
    if subject != caller.subject && !caller.is_admin() {
        return Err(ServiceError::Forbidden(
            "only a token with tokens:admin can create tokens for another subject".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(scopes: &[&str]) -> Caller {
        Caller {
            token_id: "tok_1".into(),
            subject: "alice".into(),
            workspace: "acme".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            expires_at: None,
            session_expires_at: None,
        }
    }

    fn req(name: &str, scopes: &[&str]) -> CreateRequest {
        CreateRequest {
            name: Some(name.into()),
            scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }
    }

    fn kind(e: &ServiceError) -> &'static str {
        match e {
            ServiceError::Invalid(_) => "invalid",
            ServiceError::Forbidden(_) => "forbidden",
            _ => "other",
        }
    }

    const NOW: i64 = 1_800_000_000;

    fn cap30() -> ExpiryLimits {
        ExpiryLimits {
            workspace_days: Some(30),
            creator_expires_at: None,
        }
    }

    #[test]
    fn valid_request_expands_scopes() {
        let c = Catalog::new(None, None).unwrap();
        let spec = create_spec(
            req("  CI  ", &["user:write"]),
            &caller(&["user:read", "user:write", "tokens:write"]),
            &c,
            ExpiryLimits::default(),
            NOW,
        )
        .unwrap();
        assert_eq!(spec.name, "CI");
        assert_eq!(spec.scopes, ["user:read", "user:write"]);
        assert_eq!(spec.lifetime_secs, None);
    }

    #[test]
    fn every_invalid_field_is_reported() {
        let c = Catalog::new(None, None).unwrap();
        let mut r = req(&"x".repeat(101), &["nope"]);
        r.expires_in_days = Some(0);
        r.preset = Some("missing".into());
        let err = create_spec(
            r,
            &caller(&["tokens:admin"]),
            &c,
            ExpiryLimits::default(),
            NOW,
        )
        .unwrap_err();
        assert_eq!(kind(&err), "invalid");
    }

    #[test]
    fn escalation_and_other_subjects_are_forbidden() {
        let c = Catalog::new(None, None).unwrap();
        let err = create_spec(
            req("a", &["admin:write"]),
            &caller(&["user:read", "tokens:write"]),
            &c,
            ExpiryLimits::default(),
            NOW,
        )
        .unwrap_err();
        assert_eq!(kind(&err), "forbidden");
        let mut r = req("a", &["user:read"]);
        r.subject = Some("bob".into());
        assert_eq!(
            create_spec(
                r,
                &caller(&["user:read", "tokens:write"]),
                &c,
                ExpiryLimits::default(),
                NOW
            )
            .map_err(|e| kind(&e))
            .unwrap_err(),
            "forbidden"
        );
    }

    #[test]
    fn workspace_cap_applies() {
        let c = Catalog::new(None, None).unwrap();
        let who = caller(&["user:read", "tokens:write"]);
        assert_eq!(
            create_spec(req("a", &["user:read"]), &who, &c, cap30(), NOW)
                .map_err(|e| kind(&e))
                .unwrap_err(),
            "invalid"
        );
        let mut r = req("a", &["user:read"]);
        r.expires_in_days = Some(31);
        assert_eq!(
            create_spec(r, &who, &c, cap30(), NOW)
                .map_err(|e| kind(&e))
                .unwrap_err(),
            "invalid"
        );
        let mut r = req("a", &["user:read"]);
        r.expires_in_days = Some(30);
        assert_eq!(
            create_spec(r, &who, &c, cap30(), NOW)
                .unwrap()
                .lifetime_secs,
            Some(30 * 86_400)
        );
    }

    #[test]
    fn a_token_cannot_outlive_its_maker() {
        let c = Catalog::new(None, None).unwrap();
        let mut who = caller(&["user:read", "tokens:write"]);
        who.expires_at = Some(NOW + 86_400);
        let limits = ExpiryLimits {
            workspace_days: None,
            creator_expires_at: who.expires_at,
        };
        let err = create_spec(req("a", &["user:read"]), &who, &c, limits, NOW).unwrap_err();
        assert_eq!(
            kind(&err),
            "invalid",
            "never-expiring from an expiring maker"
        );
        let mut r = req("a", &["user:read"]);
        r.expires_in_days = Some(2);
        assert_eq!(
            create_spec(r, &who, &c, limits, NOW)
                .map_err(|e| kind(&e))
                .unwrap_err(),
            "invalid"
        );
        let mut r = req("a", &["user:read"]);
        r.expires_in_days = Some(1);
        let spec = create_spec(r, &who, &c, limits, NOW).unwrap();
        assert_eq!(spec.not_after, who.expires_at);
    }

    #[test]
    fn names_descriptions_and_subjects_are_plain_text() {
        let c = Catalog::new(None, None).unwrap();
        let who = caller(&["user:read", "tokens:admin"]);
        for (name, description, subject) in [
            ("nul\0name", "", None),
            ("\u{202E}evil", "", None),
            ("\u{200B} ", "", None),
            ("ok", "bell\u{7}", None),
            ("ok", "", Some("bob\0")),
        ] {
            let mut r = req(name, &["user:read"]);
            r.description = Some(description.into());
            r.subject = subject.map(str::to_owned);
            let err = create_spec(r, &who, &c, ExpiryLimits::default(), NOW).unwrap_err();
            assert_eq!(
                kind(&err),
                "invalid",
                "{name:?} {description:?} {subject:?}"
            );
        }
        let mut r = req("ok", &["user:read"]);
        r.description = Some("two\nlines".into());
        assert!(create_spec(r, &who, &c, ExpiryLimits::default(), NOW).is_ok());
    }
}
