# infracast-proxy: the HTTP API server (api-proxy/). Its own program: links libpq,
# libmicrohttpd, json-c and libsodium, and never includes PostgreSQL server headers.
PROXY_PKGS    = libmicrohttpd json-c libsodium
PROXY_CFLAGS  = -O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
                -D_GNU_SOURCE -pthread -I$(shell $(PG_CONFIG) --includedir) \
                $(shell pkg-config --cflags $(PROXY_PKGS))
PROXY_LIBS    = -L$(shell $(PG_CONFIG) --libdir) -lpq $(shell pkg-config --libs $(PROXY_PKGS)) -pthread
PROXY_LIB_SRCS = $(filter-out api-proxy/main.c,$(sort $(wildcard api-proxy/*.c)))
PROXY_LIB_OBJS = $(patsubst api-proxy/%.c,api-proxy/build/%.o,$(PROXY_LIB_SRCS))

all: infracast-proxy

api-proxy/build/%.o: api-proxy/%.c api-proxy/proxy.h
	@mkdir -p api-proxy/build
	$(CC) $(PROXY_CFLAGS) -c -o $@ $<

infracast-proxy: api-proxy/build/main.o $(PROXY_LIB_OBJS)
	$(CC) -o $@ $^ $(PROXY_LIBS)

.PHONY: install-proxy
install: install-proxy
install-proxy: infracast-proxy
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) infracast-proxy '$(DESTDIR)$(bindir)/infracast-proxy'

# Unit tests of the plain-C parts (JWT, configuration, query building, error mapping).
UNIT_BINS += test/unit/bin/test_proxy
test/unit/bin/test_proxy: test/unit/test_proxy.c $(PROXY_LIB_OBJS)
	@mkdir -p test/unit/bin
	$(CC) $(PROXY_CFLAGS) -Iapi-proxy -o $@ $^ $(PROXY_LIBS)

EXTRA_CLEAN += infracast-proxy api-proxy/build
