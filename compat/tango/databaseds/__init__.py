"""PyTango's ``tango.databaseds`` package: the Database server (``python -m
tango.databaseds.database``), which here is puretango's (:mod:`puretango.databaseds`)."""
