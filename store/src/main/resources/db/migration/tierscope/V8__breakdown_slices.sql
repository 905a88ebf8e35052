-- Breakdowns (issue 19): per window, tenant and class, one row per value of each breakdown
-- dimension (clientPath, connectionType, protocolVersion, region, model, service) holding that
-- value's SLI inputs in one bytea (core's SliceCodec: the TTFT, component and tool-chain histograms
-- and the request, stream, retrieval and tool-chain counters). One row per value instead of one per
-- value and metric keeps the storage bounded: per (tenant, class, window) at most 18 rows of the
-- closed dimensions plus, per capped dimension (region, model, service), twice its cap and one
-- __overflow__. Rolled up and expired with window_histogram and window_counter.
CREATE TABLE window_slice (
    tenant             text        NOT NULL,
    traffic_class      text        NOT NULL,
    dimension          text        NOT NULL,
    resolution_seconds integer     NOT NULL,
    window_start       timestamptz NOT NULL,
    dimension_value    text        NOT NULL,
    requests           bigint      NOT NULL,
    slice              bytea       NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, traffic_class, dimension, resolution_seconds, window_start, dimension_value)
);

CREATE INDEX window_slice_by_resolution ON window_slice (resolution_seconds, window_start);
CREATE INDEX window_slice_by_update ON window_slice (resolution_seconds, updated_at);
