# Debian 12 packages and the signed offline bundle (docs/packaging.md).
#
#   make package INFRACAST_LICENSE_PUBKEY=<vendor licence public key, base64>
#       postgresql-15-infracast, infracast-proxy and infracast-license .debs in $(PACKAGE_DIR)/debs,
#       built by dpkg-buildpackage from a clean copy of this tree as a release build (INFRACAST_RELEASE=1)
#   make bundle INFRACAST_LICENSE_PUBKEY=... INFRACAST_RELEASE_KEY=<release signing secret key file>
#       also $(PACKAGE_DIR)/infracast-$(EXTVERSION)-<codename>-<arch>.tar.gz: the .debs, SHA256SUMS and
#       SHA256SUMS.minisig (tools/release/make_bundle.sh); tools/release/verify_bundle.sh checks one
#
# The packages are built from a copy so that the checkout's objects and its (sticky) embedded key are
# neither used nor changed: a release never contains a stale object or the development key.

PACKAGE_DIR      ?= .infracast/package
PACKAGE_CODENAME := $(shell . /etc/os-release 2>/dev/null && echo $${VERSION_CODENAME:-unknown})
PACKAGE_ARCH     := $(shell dpkg --print-architecture 2>/dev/null || echo unknown)
PACKAGE_BUNDLE    = $(PACKAGE_DIR)/infracast-$(EXTVERSION)-$(PACKAGE_CODENAME)-$(PACKAGE_ARCH).tar.gz

.PHONY: package bundle
package:
	@INFRACAST_LICENSE_PUBKEY='$(INFRACAST_LICENSE_PUBKEY)' bash tools/release/build_packages.sh '$(PACKAGE_DIR)'

# The signing key is checked before the (slower) package build, not after it.
bundle: $(LICENSE_TOOL)
	@[ -n '$(INFRACAST_RELEASE_KEY)' ] || { echo "make bundle: set INFRACAST_RELEASE_KEY to the release signing secret key file (infracast-license keygen makes one)"; exit 1; }
	@$(MAKE) --no-print-directory package
	@bash tools/release/make_bundle.sh '$(PACKAGE_DIR)/debs' '$(INFRACAST_RELEASE_KEY)' '$(PACKAGE_BUNDLE)'
