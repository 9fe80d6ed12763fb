-- Orleans reads every statement it runs from this table (query key → SQL text), once at start.
-- The keys and the @parameters in the texts are the contract of the Orleans 10.4 ADO.NET providers; the texts
-- below are ours. Every file in this folder is safe to apply again: objects are created only when missing and
-- query texts are replaced, so a newer build refreshes them on its first start.
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey varchar(64) NOT NULL,
    querytext varchar(8000) NOT NULL,
    CONSTRAINT orleansquery_key PRIMARY KEY (querykey)
);
