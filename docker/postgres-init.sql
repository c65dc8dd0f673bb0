-- Run by the postgres image on a fresh volume: Temporal's two databases (their schema is the temporal-schema job's)
-- and esu-bridge's own (its schema is esu-bridge's migrations).
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
CREATE DATABASE esu_bridge;
