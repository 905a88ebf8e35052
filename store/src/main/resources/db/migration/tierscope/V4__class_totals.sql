-- All-time totals per (tenant, class): the merge of every window delta ever committed, written in
-- the same transaction as the window rows and the partition checkpoints, so exactly once like
-- them (a fenced or failed commit writes neither). Rollups and retention never touch these tables:
-- the totals only grow, which is what Prometheus counters and cumulative buckets need.

CREATE TABLE total_histogram (
    tenant        text        NOT NULL,
    traffic_class text        NOT NULL,
    metric        text        NOT NULL,
    value_count   bigint      NOT NULL,
    histogram     bytea       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, traffic_class, metric)
);

-- dimension as in window_counter: the workflow, client path or mesh role, '' otherwise.
CREATE TABLE total_counter (
    tenant        text        NOT NULL,
    traffic_class text        NOT NULL,
    counter       text        NOT NULL,
    dimension     text        NOT NULL DEFAULT '',
    value         bigint      NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, traffic_class, counter, dimension)
);
