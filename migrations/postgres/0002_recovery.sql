-- Missed-webhook recovery: which replica runs the periodic scan (a lease any replica can take
-- once it expires), and which failed deliveries were already asked to be redelivered.
CREATE TABLE leader_leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL
);

CREATE TABLE redelivery_requests (
    guid TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    last_requested_at BIGINT NOT NULL
);
