-- Added to fixture.sql: a version-1 database written before call_stats
-- existed (the table is dropped), which every command must still read.
DROP VIEW call_graph;
DROP TABLE call_stats;
