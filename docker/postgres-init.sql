-- esu-bridge's own database beside Temporal's (temporal, temporal_visibility are made by the schema job).
CREATE DATABASE esu_bridge;
