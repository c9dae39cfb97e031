# The web UI (ui/): a Vite + React single-page app that infracast-proxy serves from ui/dist
# (VULCAN_UI_DIR). Not part of `all`: the C build needs no Node.js. `make ui` runs npm ci from the
# committed lockfile when needed, then builds; make demo and the UI tests do the same.
.PHONY: ui ui-clean
ui:
	@bash ui/scripts/build.sh

ui-clean:
	rm -rf ui/dist ui/node_modules
