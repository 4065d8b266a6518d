-- Durable job store for `failmode serve` (SQLite dialect; keep in step with ../postgres).
-- Every timestamp is Unix time in milliseconds (BIGINT), so both backends share one SQL text.

-- One row per webhook delivery GitHub sent, keyed by its X-GitHub-Delivery GUID. A redelivery
-- reuses the GUID, so the UNIQUE constraint is what makes redeliveries harmless.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    action TEXT,
    received_at BIGINT NOT NULL
);

-- Work a delivery asked for. At most one job per delivery.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL UNIQUE REFERENCES deliveries (delivery_id),
    kind TEXT NOT NULL CHECK (kind IN ('review', 'rerun')),
    installation_id BIGINT NOT NULL,
    repo TEXT NOT NULL,
    pr_number BIGINT NOT NULL,
    head_sha TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead', 'superseded', 'skipped')),
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    run_after BIGINT NOT NULL,
    lease_owner TEXT,
    lease_token TEXT,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX jobs_by_state_run_after ON jobs (state, run_after);
CREATE INDEX jobs_by_pull_request ON jobs (repo, pr_number);
CREATE INDEX jobs_by_installation_state ON jobs (installation_id, state);

-- What a job already posted to GitHub, recorded right after the post succeeds, so a retried or
-- reclaimed job finds it and does not post a second review / check run for the same head.
CREATE TABLE publications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    repo TEXT NOT NULL,
    pr_number BIGINT NOT NULL,
    head_sha TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('review', 'check_run')),
    external_id TEXT NOT NULL,
    job_id BIGINT REFERENCES jobs (id),
    created_at BIGINT NOT NULL,
    UNIQUE (repo, pr_number, head_sha, kind)
);
