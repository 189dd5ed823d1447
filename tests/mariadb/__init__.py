"""Our Database on MariaDB with real peers: next to the C++ DataBaseds on one database, two
of ours under concurrent writers, and a MariaDB restarted under load (issue 11)."""
