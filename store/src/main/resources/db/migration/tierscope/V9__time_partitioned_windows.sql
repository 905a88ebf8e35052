-- Native time partitioning of the window tables (issue 20): retention drops whole partitions
-- instead of deleting rows one by one, so that it costs the same however large the tables grow.
--
-- window_histogram, window_counter and window_slice are partitioned by RANGE on
-- (resolution_seconds, window_start): one partition per resolution and span of time, named
-- <table>_r<resolution>_<YYYYMMDD of its first day, UTC>. window_exemplar (raw windows only) by
-- RANGE on window_start: window_exemplar_<YYYYMMDD>. A span is a whole number of days: one day for
-- resolutions up to 2 min (the raw windows and the 1 min rollups), 30 days for the 1 h rollups
-- (ceil(resolution / 120) days: at most 720 windows of the resolution beyond a day).
--
-- Every table also has a DEFAULT partition (<table>_default) that takes any row without a
-- partition of its own, so that a write never fails for want of one. The rollup job creates the
-- partitions ahead of time (tierscope_ensure_partition, below); creating one moves the rows the
-- default partition holds for its range into it.
--
-- The rows of the four tables are copied into the new ones: on a large store this migration takes
-- about as long as copying the window tables (and their disk space twice until it commits).

-- Days of time one partition of a resolution spans (a whole number of days, so that partition
-- bounds are always midnight UTC and the name's date says where a partition starts).
CREATE FUNCTION tierscope_partition_span_days(resolution_seconds integer) RETURNS integer
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT greatest(1, ceil(coalesce($1, 0) / 120.0)::integer) $$;

-- The partition of parent holding the windows of resolution (NULL for window_exemplar) that start
-- at `at`: its name and its bounds [lo, hi). The one place that names partitions.
CREATE FUNCTION tierscope_partition_of(parent text, resolution integer, at timestamptz,
                                       OUT name text, OUT lo timestamptz, OUT hi timestamptz)
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    span_seconds bigint := 86400::bigint * tierscope_partition_span_days(resolution);
BEGIN
    lo := to_timestamp(floor(extract(epoch FROM at) / span_seconds) * span_seconds);
    hi := lo + span_seconds * interval '1 second';
    name := parent
        || CASE WHEN resolution IS NULL THEN '' ELSE '_r' || resolution END
        || '_' || to_char(lo AT TIME ZONE 'UTC', 'YYYYMMDD');
END
$$;

-- Creates (unless it exists) the partition of parent holding the windows of resolution (NULL for
-- window_exemplar) that start at `at`, moving into it the rows the default partition holds for its
-- range. Returns the partition's name. Serialised by a transaction-level advisory lock.
CREATE FUNCTION tierscope_ensure_partition(parent text, resolution integer, at timestamptz)
    RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
    p record := tierscope_partition_of(parent, resolution, at);
    dflt text := parent || '_default';
    bounds text;
    rows_of text;
BEGIN
    IF to_regclass(quote_ident(p.name)) IS NOT NULL THEN
        RETURN p.name;
    END IF;
    PERFORM pg_advisory_xact_lock(7582659441027362160);
    -- another session may have created it meanwhile: ask the catalog with this statement's
    -- snapshot (to_regclass may answer from this session's cache, which the lock did not refresh)
    IF EXISTS (SELECT 1 FROM pg_class
                WHERE relname = p.name
                  AND relnamespace = (SELECT relnamespace FROM pg_class
                                       WHERE oid = to_regclass(quote_ident(parent)))) THEN
        RETURN p.name;
    END IF;
    IF resolution IS NULL THEN
        bounds := format('FROM (%L) TO (%L)', p.lo, p.hi);
        rows_of := format('window_start >= %L AND window_start < %L', p.lo, p.hi);
    ELSE
        bounds := format('FROM (%s, %L) TO (%s, %L)', resolution, p.lo, resolution, p.hi);
        rows_of := format('resolution_seconds = %s AND window_start >= %L AND window_start < %L',
                          resolution, p.lo, p.hi);
    END IF;
    -- The default partition is locked first: no row of the range can reach it meanwhile, and the
    -- parent is then only taken in SHARE UPDATE EXCLUSIVE mode, which writers and readers pass.
    EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', dflt);
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', p.name, parent);
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %s RETURNING *) INSERT INTO %I SELECT * FROM moved',
                   dflt, rows_of, p.name);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES %s', parent, p.name, bounds);
    RETURN p.name;
END
$$;

-- Drops the partitions of parent for resolution (NULL for window_exemplar) that end at or before
-- `before`: retention for whole spans. Returns how many it dropped. The rows of a partial span
-- are deleted row by row by the rollup job, as are the default partition's.
CREATE FUNCTION tierscope_drop_partitions(parent text, resolution integer, before timestamptz)
    RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    prefix text := parent || CASE WHEN resolution IS NULL THEN '' ELSE '_r' || resolution END || '_';
    part record;
    dropped integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(7582659441027362160);
    FOR part IN
        SELECT c.relname
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = to_regclass(quote_ident(parent))
           AND left(c.relname, length(prefix)) = prefix
           AND substr(c.relname, length(prefix) + 1) ~ '^[0-9]{8}$'
         ORDER BY c.relname
    LOOP
        IF (tierscope_partition_of(parent, resolution,
                to_date(right(part.relname, 8), 'YYYYMMDD')::timestamp AT TIME ZONE 'UTC')).hi
                <= before THEN
            EXECUTE format('DROP TABLE %I', part.relname);
            dropped := dropped + 1;
        END IF;
    END LOOP;
    RETURN dropped;
END
$$;

-- window_histogram -----------------------------------------------------------------------------
ALTER TABLE window_histogram RENAME TO window_histogram_v8;
ALTER INDEX window_histogram_pkey RENAME TO window_histogram_v8_pkey;
DROP INDEX window_histogram_by_resolution;
DROP INDEX window_histogram_by_update;
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
) PARTITION BY RANGE (resolution_seconds, window_start);
CREATE INDEX window_histogram_by_resolution ON window_histogram (resolution_seconds, window_start);
CREATE INDEX window_histogram_by_update ON window_histogram (resolution_seconds, updated_at);
CREATE TABLE window_histogram_default PARTITION OF window_histogram DEFAULT;

-- window_counter -------------------------------------------------------------------------------
ALTER TABLE window_counter RENAME TO window_counter_v8;
ALTER INDEX window_counter_pkey RENAME TO window_counter_v8_pkey;
DROP INDEX window_counter_by_resolution;
DROP INDEX window_counter_by_update;
CREATE TABLE window_counter (
    tenant             text        NOT NULL,
    traffic_class      text        NOT NULL,
    counter            text        NOT NULL,
    dimension          text        NOT NULL DEFAULT '',
    resolution_seconds integer     NOT NULL,
    window_start       timestamptz NOT NULL,
    value              bigint      NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, traffic_class, counter, dimension, resolution_seconds, window_start)
) PARTITION BY RANGE (resolution_seconds, window_start);
CREATE INDEX window_counter_by_resolution ON window_counter (resolution_seconds, window_start);
CREATE INDEX window_counter_by_update ON window_counter (resolution_seconds, updated_at);
CREATE TABLE window_counter_default PARTITION OF window_counter DEFAULT;

-- window_slice ---------------------------------------------------------------------------------
ALTER TABLE window_slice RENAME TO window_slice_v8;
ALTER INDEX window_slice_pkey RENAME TO window_slice_v8_pkey;
DROP INDEX window_slice_by_resolution;
DROP INDEX window_slice_by_update;
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
) PARTITION BY RANGE (resolution_seconds, window_start);
CREATE INDEX window_slice_by_resolution ON window_slice (resolution_seconds, window_start);
CREATE INDEX window_slice_by_update ON window_slice (resolution_seconds, updated_at);
CREATE TABLE window_slice_default PARTITION OF window_slice DEFAULT;

-- window_exemplar ------------------------------------------------------------------------------
ALTER TABLE window_exemplar RENAME TO window_exemplar_v8;
ALTER INDEX window_exemplar_pkey RENAME TO window_exemplar_v8_pkey;
CREATE TABLE window_exemplar (
    tenant            text        NOT NULL,
    traffic_class     text        NOT NULL,
    window_start      timestamptz NOT NULL,
    trace_id          text        NOT NULL,
    ttft_micros       bigint      NOT NULL,
    edge_micros       bigint,
    mesh_micros       bigint,
    model_micros      bigint,
    queue_micros      bigint,
    mesh_role         text,
    client_path       text,
    protocol_fallback boolean,
    retransmits       integer,
    PRIMARY KEY (tenant, traffic_class, window_start, trace_id)
) PARTITION BY RANGE (window_start);
CREATE TABLE window_exemplar_default PARTITION OF window_exemplar DEFAULT;

-- The partitions the stored rows need, then the rows -------------------------------------------
DO $$
DECLARE
    k record;
BEGIN
    FOR k IN
        SELECT t, resolution_seconds AS r, min(window_start) AS at FROM (
            SELECT 'window_histogram' AS t, resolution_seconds, window_start FROM window_histogram_v8
            UNION ALL
            SELECT 'window_counter', resolution_seconds, window_start FROM window_counter_v8
            UNION ALL
            SELECT 'window_slice', resolution_seconds, window_start FROM window_slice_v8
            UNION ALL
            SELECT 'window_exemplar', NULL, window_start FROM window_exemplar_v8
        ) rows
        GROUP BY t, resolution_seconds,
                 floor(extract(epoch FROM window_start)
                       / (86400 * tierscope_partition_span_days(resolution_seconds)))
    LOOP
        PERFORM tierscope_ensure_partition(k.t, k.r, k.at);
    END LOOP;
END
$$;

INSERT INTO window_histogram (tenant, traffic_class, metric, resolution_seconds, window_start,
        value_count, p50_micros, p90_micros, p95_micros, p99_micros, max_micros, histogram,
        updated_at)
    SELECT tenant, traffic_class, metric, resolution_seconds, window_start, value_count, p50_micros,
           p90_micros, p95_micros, p99_micros, max_micros, histogram, updated_at
      FROM window_histogram_v8;
INSERT INTO window_counter (tenant, traffic_class, counter, dimension, resolution_seconds,
        window_start, value, updated_at)
    SELECT tenant, traffic_class, counter, dimension, resolution_seconds, window_start, value,
           updated_at
      FROM window_counter_v8;
INSERT INTO window_slice (tenant, traffic_class, dimension, resolution_seconds, window_start,
        dimension_value, requests, slice, updated_at)
    SELECT tenant, traffic_class, dimension, resolution_seconds, window_start, dimension_value,
           requests, slice, updated_at
      FROM window_slice_v8;
INSERT INTO window_exemplar (tenant, traffic_class, window_start, trace_id, ttft_micros,
        edge_micros, mesh_micros, model_micros, queue_micros, mesh_role, client_path,
        protocol_fallback, retransmits)
    SELECT tenant, traffic_class, window_start, trace_id, ttft_micros, edge_micros, mesh_micros,
           model_micros, queue_micros, mesh_role, client_path, protocol_fallback, retransmits
      FROM window_exemplar_v8;

DROP TABLE window_histogram_v8;
DROP TABLE window_counter_v8;
DROP TABLE window_slice_v8;
DROP TABLE window_exemplar_v8;
