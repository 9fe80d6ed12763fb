-- Grain state (the "rooms" storage): one row per grain and service, the payload as Orleans serialized it, and a
-- version number for optimistic concurrency (a write names the version it read; a stale write changes nothing).
CREATE TABLE IF NOT EXISTS orleansstorage
(
    grainidhash integer NOT NULL,
    grainidn0 bigint NOT NULL,
    grainidn1 bigint NOT NULL,
    graintypehash integer NOT NULL,
    graintypestring varchar(512) NOT NULL,
    grainidextensionstring varchar(512) NULL,
    serviceid varchar(150) NOT NULL,
    payloadbinary bytea NULL,
    payloadxml xml NULL,
    payloadjson text NULL,
    modifiedon timestamptz NOT NULL,
    version integer NULL
);

CREATE INDEX IF NOT EXISTS ix_orleansstorage ON orleansstorage USING btree (grainidhash, graintypehash);

-- Writes a grain's state: updates the row when p_version is the stored version, inserts the first version when
-- p_version is null and there is no row. Returns the new version, or p_version unchanged when nothing was
-- written (Orleans then reports an inconsistent state).
CREATE OR REPLACE FUNCTION loki_orleans_write_state(
    p_id_hash integer, p_id_n0 bigint, p_id_n1 bigint, p_type_hash integer, p_type varchar, p_extension varchar,
    p_service varchar, p_version integer, p_payload bytea)
    RETURNS TABLE (newgrainstateversion integer) LANGUAGE plpgsql AS
$$
DECLARE
    written integer := 0;
BEGIN
    IF p_version IS NOT NULL THEN
        UPDATE orleansstorage
        SET payloadbinary = p_payload, payloadjson = NULL, payloadxml = NULL, modifiedon = now(), version = version + 1
        WHERE grainidhash = p_id_hash AND graintypehash = p_type_hash AND grainidn0 = p_id_n0 AND grainidn1 = p_id_n1
            AND graintypestring = p_type AND grainidextensionstring IS NOT DISTINCT FROM p_extension
            AND serviceid = p_service AND version = p_version;
        GET DIAGNOSTICS written = ROW_COUNT;
        RETURN QUERY SELECT CASE WHEN written > 0 THEN p_version + 1 ELSE p_version END;
        RETURN;
    END IF;
    -- Two activations racing to create the same state (a split brain) must not both succeed: serialize them.
    PERFORM pg_advisory_xact_lock(p_id_hash, p_type_hash);
    INSERT INTO orleansstorage
        (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid,
         payloadbinary, modifiedon, version)
    SELECT p_id_hash, p_id_n0, p_id_n1, p_type_hash, p_type, p_extension, p_service, p_payload, now(), 1
    WHERE NOT EXISTS (
        SELECT 1 FROM orleansstorage
        WHERE grainidhash = p_id_hash AND graintypehash = p_type_hash AND grainidn0 = p_id_n0 AND grainidn1 = p_id_n1
            AND graintypestring = p_type AND grainidextensionstring IS NOT DISTINCT FROM p_extension
            AND serviceid = p_service);
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN QUERY SELECT CASE WHEN written > 0 THEN 1 ELSE NULL END;
END
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('WriteToStorageKey', $q$
    SELECT newgrainstateversion AS NewGrainStateVersion FROM loki_orleans_write_state(@GrainIdHash, @GrainIdN0,
        @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion,
        @PayloadBinary);
$q$),
('ReadFromStorageKey', $q$
    SELECT payloadbinary AS PayloadBinary, payloadxml AS PayloadXml, payloadjson AS PayloadJson,
        modifiedon AS ModifiedOn, version AS Version
    FROM orleansstorage
    WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash AND grainidn0 = @GrainIdN0
        AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
        AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString AND serviceid = @ServiceId;
$q$),
-- Clearing keeps the row (and so the version sequence) with an empty payload.
('ClearStorageKey', $q$
    UPDATE orleansstorage
    SET payloadbinary = NULL, payloadjson = NULL, payloadxml = NULL, modifiedon = now(), version = version + 1
    WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash AND grainidn0 = @GrainIdN0
        AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
        AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString AND serviceid = @ServiceId
        AND version = @GrainStateVersion
    RETURNING version AS NewGrainStateVersion;
$q$),
-- Used instead of ClearStorageKey only when a storage is configured to delete state on clear.
('DeleteStorageKey', $q$
    DELETE FROM orleansstorage
    WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash AND grainidn0 = @GrainIdN0
        AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
        AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString AND serviceid = @ServiceId
        AND version = @GrainStateVersion
    RETURNING version + 1 AS NewGrainStateVersion;
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
