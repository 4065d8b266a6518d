//! Class 13: a loop over an in-process channel (`mpsc`, `broadcast`, `flume`) hands work between
//! tasks of one process; it answers no input from outside, so it is not a queue consumer that
//! needs its own test. A loop over a broker's subscription still is.
use futures::StreamExt;
use tokio::sync::mpsc;

pub fn start_metrics(mut rx: mpsc::Receiver<Sample>) {
    tokio::spawn(async move {
        while let Some(sample) = rx.recv().await {
            record(sample);
        }
    });
}

pub async fn forward_events(mut receiver: tokio::sync::broadcast::Receiver<Event>, hub: Hub) {
    while let Ok(event) = receiver.recv().await {
        hub.publish(event);
    }
}

pub async fn consume_signups(client: async_nats::Client) -> Result<(), async_nats::Error> { //~ untested-handler:high
    let mut subscriber = client.subscribe("signups").await?;
    while let Some(message) = subscriber.next().await {
        create_account(&message.payload).await?;
    }
    Ok(())
}
