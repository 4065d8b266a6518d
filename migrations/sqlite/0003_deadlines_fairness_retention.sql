-- Job deadlines, fair claiming across replicas, and retention (SQLite dialect; keep in step
-- with ../postgres).

-- When a job must be over, set at its first claim (Unix ms). Past it the job is dead-lettered,
-- its check run says so, and no heartbeat extends its lease. NULL: not claimed yet.
ALTER TABLE jobs ADD COLUMN deadline_at BIGINT;

-- When the job was last claimed (Unix ms). Claims go first to the installation running the
-- fewest jobs, and among equals to the one served least recently: its newest claimed_at.
ALTER TABLE jobs ADD COLUMN claimed_at BIGINT;
CREATE INDEX jobs_by_installation_claimed_at ON jobs (installation_id, claimed_at);

-- Workers per live replica, so the per-installation limit follows the worker count of the
-- whole deployment. Each replica refreshes its row; rows past `seen_until` no longer count.
CREATE TABLE worker_pools (
    owner TEXT PRIMARY KEY,
    workers BIGINT NOT NULL,
    seen_until BIGINT NOT NULL
);

-- Retention cleanup scans these.
CREATE INDEX jobs_by_state_updated_at ON jobs (state, updated_at);
CREATE INDEX deliveries_by_received_at ON deliveries (received_at);
CREATE INDEX publications_by_created_at ON publications (created_at);
CREATE INDEX publications_by_job ON publications (job_id);
CREATE INDEX redelivery_requests_by_last_requested_at ON redelivery_requests (last_requested_at);
