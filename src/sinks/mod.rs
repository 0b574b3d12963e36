//! Notification sinks: where announced status changes go.
//!
//! The daemon journals every status change before announcing it, then hands
//! it to the sinks through a [`Delivery`] worker. Each sink gets its own
//! thread and queue; a notification stays queued, retried with backoff, until
//! the sink takes it or the process stops (the state layer hands undelivered
//! notifications back after a restart).
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
mod http;
mod labels;
mod sink;
mod url;
mod webhook;

pub use alertmanager::{Alertmanager, DEFAULT_RESEND_INTERVAL};
pub use deliver::{Delivery, DeliveryFailure, DeliveryOptions};
pub use error::SinkError;
pub use labels::{alert_labels, instance_label_names, sanitize_label_name};
pub use sink::Sink;
pub use url::{credentials, redact};
pub use webhook::Webhook;
