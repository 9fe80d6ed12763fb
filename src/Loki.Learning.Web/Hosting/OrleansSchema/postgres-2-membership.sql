-- Cluster membership: one version row per cluster (DeploymentId = Cluster:ClusterId) that every change bumps
-- (optimistic concurrency between silos), and one row per silo incarnation (address, port, generation).
CREATE TABLE IF NOT EXISTS orleansmembershipversiontable
(
    deploymentid varchar(150) NOT NULL,
    timestamp timestamptz(3) NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 0,
    CONSTRAINT pk_orleansmembershipversiontable_deploymentid PRIMARY KEY (deploymentid)
);

CREATE TABLE IF NOT EXISTS orleansmembershiptable
(
    deploymentid varchar(150) NOT NULL,
    address varchar(45) NOT NULL,
    port integer NOT NULL,
    generation integer NOT NULL,
    siloname varchar(150) NOT NULL,
    hostname varchar(150) NOT NULL,
    status integer NOT NULL,
    proxyport integer NULL,
    suspecttimes varchar(8000) NULL,
    starttime timestamptz(3) NOT NULL,
    iamalivetime timestamptz(3) NOT NULL,
    CONSTRAINT pk_membershiptable_deploymentid PRIMARY KEY (deploymentid, address, port, generation),
    CONSTRAINT fk_membershiptable_membershipversiontable_deploymentid
        FOREIGN KEY (deploymentid) REFERENCES orleansmembershipversiontable (deploymentid)
);

-- 1 when the cluster's version row was created now, 0 when it already existed.
CREATE OR REPLACE FUNCTION loki_orleans_add_cluster(p_cluster varchar)
    RETURNS TABLE (row_count integer) LANGUAGE plpgsql AS
$$
DECLARE
    added integer;
BEGIN
    INSERT INTO orleansmembershipversiontable (deploymentid) VALUES (p_cluster)
    ON CONFLICT (deploymentid) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN QUERY SELECT added;
END
$$;

-- Every membership change first moves the cluster's version on from the one the caller read; false when another
-- silo changed the table since (the caller then reads it again and retries).
CREATE OR REPLACE FUNCTION loki_orleans_next_version(p_cluster varchar, p_version integer)
    RETURNS boolean LANGUAGE plpgsql AS
$$
BEGIN
    UPDATE orleansmembershipversiontable
    SET version = version + 1, timestamp = now()
    WHERE deploymentid = p_cluster AND version = p_version AND version < 2147483647;
    RETURN FOUND;
END
$$;

-- Adds a silo's row only if the caller saw the current table version: the version bump and the insert succeed
-- or fail together (1 or 0), so two silos joining at once cannot both win with the same version.
CREATE OR REPLACE FUNCTION loki_orleans_add_silo(
    p_cluster varchar, p_address varchar, p_port integer, p_generation integer, p_silo_name varchar,
    p_host_name varchar, p_status integer, p_proxy_port integer, p_start_time timestamptz,
    p_i_am_alive timestamptz, p_version integer)
    RETURNS TABLE (row_count integer) LANGUAGE plpgsql AS
$$
BEGIN
    BEGIN
        IF NOT loki_orleans_next_version(p_cluster, p_version) THEN
            RETURN QUERY SELECT 0;
            RETURN;
        END IF;
        INSERT INTO orleansmembershiptable
            (deploymentid, address, port, generation, siloname, hostname, status, proxyport, starttime, iamalivetime)
        VALUES
            (p_cluster, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
             p_start_time, p_i_am_alive);
        RETURN QUERY SELECT 1;
    EXCEPTION WHEN unique_violation THEN
        -- The silo's row exists already: the version bump above is undone with this block.
        RETURN QUERY SELECT 0;
    END;
END
$$;

-- Changes a silo's status and suspicions under the same version rule as loki_orleans_add_silo.
CREATE OR REPLACE FUNCTION loki_orleans_change_silo(
    p_cluster varchar, p_address varchar, p_port integer, p_generation integer, p_status integer,
    p_suspect_times varchar, p_i_am_alive timestamptz, p_version integer)
    RETURNS TABLE (row_count integer) LANGUAGE plpgsql AS
$$
BEGIN
    BEGIN
        IF NOT loki_orleans_next_version(p_cluster, p_version) THEN
            RETURN QUERY SELECT 0;
            RETURN;
        END IF;
        UPDATE orleansmembershiptable
        SET status = p_status, suspecttimes = p_suspect_times, iamalivetime = GREATEST(iamalivetime, p_i_am_alive)
        WHERE deploymentid = p_cluster AND address = p_address AND port = p_port AND generation = p_generation;
        IF NOT FOUND THEN
            -- No such silo: undo the version bump by leaving the block with an error.
            RAISE EXCEPTION 'no membership row' USING ERRCODE = 'no_data_found';
        END IF;
        RETURN QUERY SELECT 1;
    EXCEPTION WHEN no_data_found THEN
        RETURN QUERY SELECT 0;
    END;
END
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('InsertMembershipVersionKey', $q$
    SELECT row_count FROM loki_orleans_add_cluster(@DeploymentId);
$q$),
('InsertMembershipKey', $q$
    SELECT row_count FROM loki_orleans_add_silo(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
        @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);
$q$),
('UpdateMembershipKey', $q$
    SELECT row_count FROM loki_orleans_change_silo(@DeploymentId, @Address, @Port, @Generation, @Status,
        @SuspectTimes, @IAmAliveTime, @Version);
$q$),
-- A heartbeat, not a membership change: no version bump, and never moves the time backwards.
('UpdateIAmAlivetimeKey', $q$
    UPDATE orleansmembershiptable
    SET iamalivetime = GREATEST(iamalivetime, @IAmAliveTime)
    WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;
$q$),
-- The version row is returned even when the silo has no row yet (left join).
('MembershipReadRowKey', $q$
    SELECT v.deploymentid AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
        m.siloname AS SiloName, m.hostname AS HostName, m.status AS Status, m.proxyport AS ProxyPort,
        m.suspecttimes AS SuspectTimes, m.starttime AS StartTime, m.iamalivetime AS IAmAliveTime, v.version AS Version
    FROM orleansmembershipversiontable v
    LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
        AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    WHERE v.deploymentid = @DeploymentId;
$q$),
('MembershipReadAllKey', $q$
    SELECT v.deploymentid AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
        m.siloname AS SiloName, m.hostname AS HostName, m.status AS Status, m.proxyport AS ProxyPort,
        m.suspecttimes AS SuspectTimes, m.starttime AS StartTime, m.iamalivetime AS IAmAliveTime, v.version AS Version
    FROM orleansmembershipversiontable v
    LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
    WHERE v.deploymentid = @DeploymentId;
$q$),
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId;
    DELETE FROM orleansmembershipversiontable WHERE deploymentid = @DeploymentId;
$q$),
-- Status 3 = Active: gateways are the active silos with a gateway port.
('GatewaysQueryKey', $q$
    SELECT address AS Address, proxyport AS ProxyPort, generation AS Generation
    FROM orleansmembershiptable
    WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0;
$q$),
-- Prunes dead silos (status 6) that stopped sending heartbeats before the cut-off and carry no suspicions.
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM orleansmembershiptable
    WHERE deploymentid = @DeploymentId AND status = 6
        AND iamalivetime < @IAmAliveTime AND starttime < @IAmAliveTime
        AND COALESCE(suspecttimes, '') = '';
$q$),
-- Prunes one dead silo, only if its row is still exactly as the caller read it.
('CleanupDefunctSiloEntryKey', $q$
    DELETE FROM orleansmembershiptable
    WHERE deploymentid = @DeploymentId AND status = 6
        AND address = @Address AND port = @Port AND generation = @Generation
        AND iamalivetime = @IAmAliveTime AND starttime = @StartTime
        AND COALESCE(suspecttimes, '') = COALESCE(@SuspectTimes, '');
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
