# Compliance: the OSCAL catalog and baseline profiles built into infracast.so (src/compliance/
# compliance_shipped.c pulls them in with .incbin, by absolute path so the assembler finds them
# wherever make runs). The object is rebuilt when a shipped file changes; the LLVM bitcode copy
# leaves the bytes out.
COMPLIANCE_DATA_DIR := $(abspath extension/data/compliance)
COMPLIANCE_DATA     := $(sort $(wildcard extension/data/compliance/*.json.gz))

src/compliance/compliance_shipped.o: override CPPFLAGS += -DINFRACAST_COMPLIANCE_DATA='"$(COMPLIANCE_DATA_DIR)"'
src/compliance/compliance_shipped.bc: override CPPFLAGS += -DINFRACAST_COMPLIANCE_BITCODE
src/compliance/compliance_shipped.o: $(COMPLIANCE_DATA)
