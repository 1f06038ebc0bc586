//! Tables (the migrations in `issuer/migrations/` create them, on both backends).

#![allow(missing_docs)]

diesel::table! {
    workspaces (id) {
        id -> Text,
        max_expiry_days -> Nullable<BigInt>,
        created_at -> BigInt,
        name -> Nullable<Text>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        alg -> Text,
        public_jwk -> Text,
        private_key -> Text,
        created_at -> BigInt,
        retired_at -> Nullable<BigInt>,
        activates_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    status_lists (id) {
        id -> Text,
        seq -> BigInt,
        capacity -> BigInt,
        used -> BigInt,
        version -> BigInt,
        created_at -> BigInt,
        perm_key -> Nullable<Text>,
    }
}

diesel::table! {
    status_events (seq) {
        seq -> BigInt,
        list -> Text,
        version -> BigInt,
        indexes -> Text,
        at -> BigInt,
        kind -> Text,
    }
}

diesel::table! {
    portal_sessions (id) {
        id -> Text,
        code_hash -> Text,
        secret_hash -> Nullable<Text>,
        workspace -> Text,
        subject -> Text,
        role -> Text,
        scopes -> Text,
        return_url -> Text,
        created_by -> Nullable<Text>,
        created_at -> BigInt,
        code_expires_at -> BigInt,
        exchanged_at -> Nullable<BigInt>,
        expires_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    event_head (id) {
        id -> Integer,
        seq -> BigInt,
    }
}

diesel::table! {
    tokens (id) {
        id -> Text,
        workspace -> Text,
        subject -> Text,
        name -> Text,
        description -> Text,
        scopes -> Text,
        hint -> Text,
        kid -> Text,
        created_at -> BigInt,
        expires_at -> Nullable<BigInt>,
        lifetime_secs -> Nullable<BigInt>,
        last_used_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
        revokes_at -> Nullable<BigInt>,
        rotated_from -> Nullable<Text>,
        rotated_to -> Nullable<Text>,
        created_by -> Nullable<Text>,
        status_list -> Text,
        status_idx -> BigInt,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        workspace -> Text,
        at -> BigInt,
        action -> Text,
        token_id -> Nullable<Text>,
        actor_token -> Nullable<Text>,
        actor_subject -> Nullable<Text>,
        detail -> Text,
        webhook_pending -> Nullable<BigInt>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        workspace -> Nullable<Text>,
        url -> Text,
        events -> Text,
        description -> Text,
        secret -> Text,
        created_at -> BigInt,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_deliveries (webhook_id, event_id) {
        webhook_id -> Text,
        event_id -> Text,
        event_type -> Text,
        token_id -> Nullable<Text>,
        body -> Text,
        created_at -> BigInt,
        state -> Text,
        attempts -> BigInt,
        next_attempt_at -> Nullable<BigInt>,
        last_attempt_at -> Nullable<BigInt>,
        last_status -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    webhook_attempts (webhook_id, event_id, attempt) {
        webhook_id -> Text,
        event_id -> Text,
        attempt -> BigInt,
        at -> BigInt,
        status -> Nullable<BigInt>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::table! {
    notice_clock (id) {
        id -> Integer,
        until_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    workspaces,
    signing_keys,
    status_lists,
    tokens,
    audit_events,
    status_events,
    event_head,
    portal_sessions,
    webhooks,
    webhook_deliveries,
    webhook_attempts,
    notice_clock,
);
