# Discovery: net-snmp does SNMP (src/discovery/snmp_walk.c, which includes no PostgreSQL header).
# Debian: libsnmp-dev (pkg-config netsnmp); net-snmp-config is the fallback where no .pc exists.
DISCOVERY_SNMP_LIBS := $(shell pkg-config --libs netsnmp 2>/dev/null || net-snmp-config --libs 2>/dev/null)
SHLIB_LINK += $(DISCOVERY_SNMP_LIBS)
