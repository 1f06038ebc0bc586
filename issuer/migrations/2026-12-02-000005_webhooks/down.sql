DROP INDEX tokens_by_expiry;
DROP TABLE notice_clock;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP INDEX audit_webhook_pending;
ALTER TABLE audit_events DROP COLUMN webhook_pending;
