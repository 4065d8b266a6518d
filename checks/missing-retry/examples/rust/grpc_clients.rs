//! tonic has no built-in retry: a gRPC call is covered only by a tower retry layer or a retry
//! wrapper around it.
use tonic::transport::Channel;
use tower::retry::RetryLayer;
use tower::ServiceBuilder;

pub struct Services {
    pub inventory: InventoryClient<Channel>,
    pub pricing: PricingClient<RetryService>,
}

pub async fn connect(addr: String, pricing_addr: String) -> anyhow::Result<Services> {
    let inventory = InventoryClient::connect(addr).await?;
    let pricing_channel = ServiceBuilder::new()
        .layer(RetryLayer::new(Attempts(3)))
        .service(Channel::from_shared(pricing_addr)?.connect_lazy());
    let pricing = PricingClient::new(pricing_channel);
    Ok(Services { inventory, pricing })
}

pub async fn release_stock(svc: &mut Services, sku: String, qty: u32) -> Result<(), AppError> {
    if let Err(status) = svc.inventory.release(ReleaseRequest { sku: sku.clone(), qty }).await { //~ missing-retry:high
        tracing::error!(%status, %sku, "stock release failed");
    }
    if let Err(status) = svc.pricing.invalidate(InvalidateRequest { sku }).await {
        tracing::warn!(%status, "price cache invalidation failed");
    }
    Ok(())
}
