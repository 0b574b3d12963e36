//! What a delivery worker needs from a sink.

use super::Notification;
use super::SinkError;
use std::time::Duration;

/// A place notifications go, driven by one [`Delivery`](super::Delivery)
/// worker thread.
///
/// `deliver` is called with each notification in order and is called again
/// with the same notification after a failure, so it must be safe to repeat:
/// a sink that keeps state updates it only once the send succeeded.
pub trait Sink: Send {
    /// A short stable name (`webhook`, `alertmanager`), used in messages and
    /// passed to the `on_delivered` callback.
    fn name(&self) -> &'static str;

    /// Sends one notification. An error means "not delivered": tried again
    /// later, unless [`SinkError::is_permanent`], when the notification is
    /// dead-lettered.
    fn deliver(&mut self, notification: &Notification) -> Result<(), SinkError>;

    /// Periodic work, such as re-sending the alerts that are still firing.
    /// Called when the worker starts and then about every
    /// [`tick_interval`](Sink::tick_interval).
    fn tick(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    /// How often [`tick`](Sink::tick) wants to run; `None` (the default)
    /// for never.
    fn tick_interval(&self) -> Option<Duration> {
        None
    }
}
