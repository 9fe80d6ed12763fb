-- Room state of a single node (Cluster:Mode=Localhost) in orleans.db beside the SQLite database, so it survives a
-- restart. Orleans' ADO.NET storage reads its statements from orleansquery; the keys and @parameters are the
-- contract of Orleans 10.4, the texts are ours. Safe to apply on every start. One silo writes here, so a plain
-- version check is enough (the PostgreSQL script also guards against two silos racing).
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey TEXT NOT NULL PRIMARY KEY,
    querytext TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS orleansstorage
(
    grainidhash INTEGER NOT NULL,
    grainidn0 INTEGER NOT NULL,
    grainidn1 INTEGER NOT NULL,
    graintypehash INTEGER NOT NULL,
    graintypestring TEXT NOT NULL,
    grainidextensionstring TEXT NULL,
    serviceid TEXT NOT NULL,
    payloadbinary BLOB NULL,
    modifiedon TEXT NOT NULL,
    version INTEGER NULL
);

CREATE INDEX IF NOT EXISTS ix_orleansstorage ON orleansstorage (grainidhash, graintypehash);

-- Each text yields its answer in one of its result sets: the new version when the write happened, the version the
-- caller named when it did not (Orleans then reports an inconsistent state), nothing for a refused first write.
INSERT INTO orleansquery (querykey, querytext) VALUES
('WriteToStorageKey', '
    INSERT INTO orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring,
        grainidextensionstring, serviceid, payloadbinary, modifiedon, version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
        @ServiceId, @PayloadBinary, datetime(''now''), 1
    WHERE @GrainStateVersion IS NULL AND NOT EXISTS (
        SELECT 1 FROM orleansstorage
        WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash AND grainidn0 = @GrainIdN0
            AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
            AND grainidextensionstring IS @GrainIdExtensionString AND serviceid = @ServiceId)
    RETURNING version AS NewGrainStateVersion;

    UPDATE orleansstorage
    SET payloadbinary = @PayloadBinary, modifiedon = datetime(''now''), version = version + 1
    WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash AND grainidn0 = @GrainIdN0
        AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
        AND grainidextensionstring IS @GrainIdExtensionString AND serviceid = @ServiceId
        AND version = @GrainStateVersion
    RETURNING version AS NewGrainStateVersion;

    SELECT @GrainStateVersion AS NewGrainStateVersion WHERE changes() = 0 AND @GrainStateVersion IS NOT NULL;
'),
('ReadFromStorageKey', '
    SELECT payloadbinary AS PayloadBinary, version AS Version
    FROM orleansstorage
    WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash AND grainidn0 = @GrainIdN0
        AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
        AND grainidextensionstring IS @GrainIdExtensionString AND serviceid = @ServiceId
    LIMIT 1;
'),
('ClearStorageKey', '
    UPDATE orleansstorage
    SET payloadbinary = NULL, modifiedon = datetime(''now''), version = version + 1
    WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash AND grainidn0 = @GrainIdN0
        AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
        AND grainidextensionstring IS @GrainIdExtensionString AND serviceid = @ServiceId
        AND version = @GrainStateVersion
    RETURNING version AS NewGrainStateVersion;

    SELECT @GrainStateVersion AS NewGrainStateVersion WHERE changes() = 0 AND @GrainStateVersion IS NOT NULL;
'),
('DeleteStorageKey', '
    DELETE FROM orleansstorage
    WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash AND grainidn0 = @GrainIdN0
        AND grainidn1 = @GrainIdN1 AND graintypestring = @GrainTypeString
        AND grainidextensionstring IS @GrainIdExtensionString AND serviceid = @ServiceId
        AND version = @GrainStateVersion
    RETURNING version + 1 AS NewGrainStateVersion;

    SELECT @GrainStateVersion AS NewGrainStateVersion WHERE changes() = 0 AND @GrainStateVersion IS NOT NULL;
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;
