mod helpers;
mod health_check;
mod subscriptions;
