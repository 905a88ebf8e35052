-- Tierscope schema, owned by the store module (the only place that migrates it).

-- One row per (tenant, class, metric, resolution, window): the merged HdrHistogram of every
-- aggregator instance that saw requests of that window, plus its precomputed count and
-- percentiles (microseconds) so that single-window reads need no decoding.
CREATE TABLE window_histogram (
    tenant             text        NOT NULL,
    traffic_class      text        NOT NULL,
    metric             text        NOT NULL,
    resolution_seconds integer     NOT NULL,
    window_start       timestamptz NOT NULL,
    value_count        bigint      NOT NULL,
    p50_micros         bigint      NOT NULL,
    p90_micros         bigint      NOT NULL,
    p95_micros         bigint      NOT NULL,
    p99_micros         bigint      NOT NULL,
    max_micros         bigint      NOT NULL,
    histogram          bytea       NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, traffic_class, metric, resolution_seconds, window_start)
);

-- Counters per window, merged with ON CONFLICT DO UPDATE. dimension is the workflow for the
-- token counters and '' otherwise.
CREATE TABLE window_counter (
    tenant             text        NOT NULL,
    traffic_class      text        NOT NULL,
    counter            text        NOT NULL,
    dimension          text        NOT NULL DEFAULT '',
    resolution_seconds integer     NOT NULL,
    window_start       timestamptz NOT NULL,
    value              bigint      NOT NULL,
    PRIMARY KEY (tenant, traffic_class, counter, dimension, resolution_seconds, window_start)
);

-- Per-partition checkpoint of the aggregator: next offset, in-flight assembly snapshot, and the
-- consumer group generation that owns it (a write from an older generation is refused).
CREATE TABLE partition_checkpoint (
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition_id   integer     NOT NULL,
    generation     integer     NOT NULL,
    next_offset    bigint,
    snapshot       bytea,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition_id)
);
