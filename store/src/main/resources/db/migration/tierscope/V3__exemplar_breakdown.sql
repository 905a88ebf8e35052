-- Per-request attribution of exemplars: where each kept request's first-token time went (edge,
-- mesh, model, queue; microseconds, NULL when unknown) and the sub-signals that say which part of a
-- tier it was. The API derives the dominant tier and component from these against the class's
-- baseline. Rows written before this migration have NULLs: their breakdown is unknown.
ALTER TABLE window_exemplar
    ADD COLUMN edge_micros       bigint,
    ADD COLUMN mesh_micros       bigint,
    ADD COLUMN model_micros      bigint,
    ADD COLUMN queue_micros      bigint,
    ADD COLUMN mesh_role         text,
    ADD COLUMN client_path       text,
    ADD COLUMN protocol_fallback boolean,
    ADD COLUMN retransmits       integer;
