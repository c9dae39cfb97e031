# Discovery: net-snmp does SNMP (src/discovery/snmp_walk.c, which includes no PostgreSQL header).
# Debian: libsnmp-dev (pkg-config netsnmp); net-snmp-config is the fallback where no .pc exists.
DISCOVERY_SNMP_LIBS := $(shell pkg-config --libs netsnmp 2>/dev/null || net-snmp-config --libs 2>/dev/null)
SHLIB_LINK += $(DISCOVERY_SNMP_LIBS)
# SSH discovery: libssh (Debian libssh-dev) in src/discovery/ssh_collect.c, plain C like the walker.
DISCOVERY_SSH_LIBS := $(shell pkg-config --libs libssh 2>/dev/null || echo -lssh)
SHLIB_LINK += $(DISCOVERY_SSH_LIBS)

# The parsers of the SSH commands' output are plain C: unit-tested under valgrind.
UNIT_BINS += test/unit/bin/test_ssh_parse

test/unit/bin/test_ssh_parse: test/unit/test_ssh_parse.c src/discovery/ssh_parse.c src/discovery/ssh_parse.h
	@mkdir -p test/unit/bin
	$(CC) $(UNIT_CFLAGS) -o $@ test/unit/test_ssh_parse.c src/discovery/ssh_parse.c $(UNIT_LIBS)
