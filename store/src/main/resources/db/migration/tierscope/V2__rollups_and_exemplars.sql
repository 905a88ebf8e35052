-- Rollups (10 s -> 1 min -> 1 h) live in window_histogram / window_counter with their own
-- resolution_seconds. rollup_progress says how far each resolution is complete: every window of
-- that resolution starting before complete_before covers all finer windows. rolled_at is when
-- the job last ran, so that finer rows updated later (very late requests) are rolled up again.
CREATE TABLE rollup_progress (
    resolution_seconds integer     PRIMARY KEY,
    complete_before    timestamptz NOT NULL,
    rolled_at          timestamptz NOT NULL
);

ALTER TABLE window_counter ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- The rollup job and retention select by resolution and time.
CREATE INDEX window_histogram_by_resolution ON window_histogram (resolution_seconds, window_start);
CREATE INDEX window_histogram_by_update ON window_histogram (resolution_seconds, updated_at);
CREATE INDEX window_counter_by_resolution ON window_counter (resolution_seconds, window_start);
CREATE INDEX window_counter_by_update ON window_counter (resolution_seconds, updated_at);

-- Exemplars: trace ids of the slowest requests (by TTFT) of each raw window, a few per window.
CREATE TABLE window_exemplar (
    tenant        text        NOT NULL,
    traffic_class text        NOT NULL,
    window_start  timestamptz NOT NULL,
    trace_id      text        NOT NULL,
    ttft_micros   bigint      NOT NULL,
    PRIMARY KEY (tenant, traffic_class, window_start, trace_id)
);
