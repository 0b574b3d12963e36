//! Notification sinks: where announced status changes go.
//!
//! The daemon journals every status change before announcing it, then hands
//! it to the sinks through a [`Delivery`] worker. Each sink gets its own
//! thread and queue; a notification stays queued, retried with backoff, until
//! the sink takes it or the process stops (the state layer hands undelivered
//! notifications back after a restart).
//!
//! Each change travels as a [`Notification`]: the change, its journal
//! sequence number, when it was recorded, and an id any daemon gives the
//! same change. A refusal that a retry cannot mend (a `4xx` other than
//! `408` and `429`) dead-letters the notification instead of blocking the
//! queue behind it.
//!
//! Two sinks ship: a [`Webhook`] that POSTs each change as JSON, and an
//! [`Alertmanager`] that keeps the set of met alerts firing in a Prometheus
//! Alertmanager and resolves them when they stop being met.
//!
//! URLs may carry secrets (a password, a token in the query string): only
//! their [`redact`]ed form ever appears in an error or a message.

mod alertmanager;
mod deliver;
mod error;
mod format;
mod http;
mod labels;
mod notification;
mod signature;
mod sink;
mod url;
mod webhook;

pub use alertmanager::{alert_annotations, Alertmanager, CurrentTexts, DEFAULT_RESEND_INTERVAL};
pub use deliver::{Delivery, DeliveryFailure, DeliveryOptions, MAX_RETRY_AFTER};
pub use error::SinkError;
pub use format::{WebhookFormat, ALERTMANAGER_RECEIVER, CLOUDEVENTS_SOURCE, CLOUDEVENTS_TYPE};
pub use labels::{alert_labels, instance_label_names, sanitize_label_name};
pub use notification::{notification_id, Notification, SCHEMA_VERSION};
pub use signature::{Secret, SIGNATURE_HEADER, TIMESTAMP_HEADER};
pub use sink::Sink;
pub use url::{credentials, redact};
pub use webhook::{Webhook, IDEMPOTENCY_HEADER};
