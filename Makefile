# SPDX-License-Identifier: GPL-2.0
# bpf-map-samples: the one Makefile.
#
# A sample is any top-level directory <s>/ holding <s>_kern.c. For each sample:
#   <s>/<s>_kern.c        -> build/<s>/<s>.bpf.o   (clang -target bpf)
#   build/<s>/<s>.bpf.o   -> build/<s>/<s>.skel.h  (bpftool gen skeleton)
#   <s>/*.c (not _kern.c) -> <s>/<s>               (cc, linked with common/)
# The binary is built inside its own folder (a file ./sockex1 and a directory
# ./sockex1/ cannot both exist), so `cd sockex1 && sudo ./sockex1` works; each
# folder's stub Makefile hands `make` there over to this one.
# Header dependencies are real (-MMD -MP); `make V=1` shows full commands.

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:
# Keep the objects and skeletons that pattern-rule chains produce.
.SECONDARY:

CLANG   ?= clang
CC      ?= cc
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

# `make SAN=1` builds the user side with AddressSanitizer + UBSan into a
# separate tree so that it never mixes with the normal build.
# BIN is where the sample folders of binaries are: $(BIN)/<s>/<s>.
ifeq ($(SAN),1)
BUILD := build-san
BIN   := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
else
BUILD := build
BIN   := .
SANFLAGS :=
endif

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	-e 's/ppc64le/powerpc/' -e 's/s390x/s390/' -e 's/riscv64/riscv/' -e 's/loongarch64/loongarch/')

# Every top-level directory <s>/ that has <s>_kern.c is a sample.
SAMPLES := $(sort $(foreach d,$(wildcard */),\
	$(if $(wildcard $(d)$(d:/=)_kern.c),$(d:/=))))
# The binary of sample s: $(call bin,s).
bin = $(patsubst ./%,%,$(BIN)/$(1)/$(1))

# vmlinux.h: every kernel type. $(BUILD)/vmlinux.h is dumped from the running
# kernel's BTF, or copied from VMLINUX_H=path (a header dumped from another
# kernel's BTF); $(BUILD)/vmlinux.src names which, so that switching between
# them remakes the header and every object.
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VMLINUX := $(BUILD)/vmlinux.h
VMLINUX_SRC := $(if $(VMLINUX_H),$(abspath $(VMLINUX_H)),$(VMLINUX_BTF))
KERNEL_BTF := $(if $(VMLINUX_H),VMLINUX_H=$(VMLINUX_H),this kernel's BTF)

# A sample may be left out of the build, with one line saying why (and the
# reason written to $(BUILD)/<s>.not-built, where the tests read it to SKIP).
#
# Optional <s>/clang: the one word naming the BPF compiler that sample needs
# (arena/clang says clang-19: arena pointers need clang >= 19). Where that
# compiler is missing the sample is left out; every other sample builds with
# $(CLANG).
sample_clang = $(if $(wildcard $(1)/clang),$(strip $(shell cat $(1)/clang)),$(CLANG))
NO_CLANG := $(foreach s,$(SAMPLES),$(if $(wildcard $(s)/clang),$(if $(shell command -v $(call sample_clang,$(s)) 2>/dev/null),,$(s))))
$(foreach s,$(NO_CLANG),$(eval NOT_BUILT_$(s) := it needs $(call sample_clang,$(s)), which is not installed ('make deps' installs it)))
#
# Optional <s>/needs: names the sample's BPF object takes from vmlinux.h that
# older kernels lack, one per line with the first Linux that has it
# ("BPF_MAP_TYPE_ARENA 6.9"). $(BUILD)/kernel.mk, made from vmlinux.h, sets
# NO_KERNEL_<s> to the first one missing; such a sample is left out. A sample
# whose lesson runs without the newer type (hbm -m cgrp, local_storage's
# cgroup storage) names it by its UAPI number instead and has no needs file.
# (No kernel.mk for the goals that must work before the tools are installed.)
ifneq ($(filter-out clean help deps,$(or $(MAKECMDGOALS),all)),)
-include $(BUILD)/kernel.mk
endif
NO_KERNEL := $(foreach s,$(filter-out $(NO_CLANG),$(SAMPLES)),$(if $(NO_KERNEL_$(s)),$(s)))
$(foreach s,$(NO_KERNEL),$(eval NOT_BUILT_$(s) := $(KERNEL_BTF) has no $(NO_KERNEL_$(s))))
NOT_BUILT := $(NO_CLANG) $(NO_KERNEL)
SAMPLES := $(filter-out $(NOT_BUILT),$(SAMPLES))

COMMON_SRCS := $(wildcard common/*.c)
COMMON_OBJS := $(patsubst common/%.c,$(BUILD)/common/%.o,$(COMMON_SRCS))
COMMON_LIB  := $(BUILD)/common/libsample.a

# tests/test_<s>.c -> $(BUILD)/tests/test_<s>: one map-semantics test binary per
# sample, linked with the harness (every other tests/*.c).
HARNESS_SRCS := $(filter-out tests/test_%.c,$(wildcard tests/*.c))
HARNESS_OBJS := $(patsubst tests/%.c,$(BUILD)/tests/%.o,$(HARNESS_SRCS))
TESTED       := $(filter $(patsubst tests/test_%.c,%,$(wildcard tests/test_*.c)),$(SAMPLES))
TEST_BINS    := $(addprefix $(BUILD)/tests/test_,$(TESTED))

# clang -target bpf does not search the host's multiarch include directory, so
# <asm/types.h> (pulled in by any UAPI header) is not found unless gcc-multilib is
# installed. Append clang's own system directories with -idirafter instead.
CLANG_SYS_INCLUDES = $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

BPF_CFLAGS = -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wno-unused-function \
	-I$(BUILD) -Icommon $(CLANG_SYS_INCLUDES)

LIBBPF_CFLAGS = $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
LIBBPF_LIBS   = $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf)

CFLAGS  ?= -O2 -g
CFLAGS  += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -std=gnu11 $(SANFLAGS)
CPPFLAGS += -Icommon $(LIBBPF_CFLAGS) -D_GNU_SOURCE
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(LIBBPF_LIBS) -lelf -lz

BINARIES := $(foreach s,$(SAMPLES),$(call bin,$(s)))

.PHONY: all help deps clean check tests bench format FORCE

all: $(BINARIES) $(foreach s,$(NOT_BUILT),$(BUILD)/$(s).not-built)

help:
	@echo 'bpf-map-samples'
	@echo
	@echo '  make deps        install build and run dependencies (Debian/Ubuntu, uses apt-get)'
	@echo '  make             build every sample: <sample>/<sample>, e.g. sockex1/sockex1'
	@echo '  make <sample>    build one sample, e.g. make sockex1 (-> sockex1/sockex1)'
	@echo '  make new NAME=my_tool FROM=sockex1   copy a sample as the start of your own'
	@echo '  make new NAME=my_tool FROM=sockex1 BARE=1   the same without its demo and traps'
	@echo '  make check       run every test (needs root): map semantics, end to end, tree checks, robustness'
	@echo '  make check T=s   only the tests of sample s (several: T="s1 s2")'
	@echo '  make vmcheck     map semantics + end to end in a VM on Debian 12'"'"'s kernel 6.1 (root, QEMU; T= too; TESTING.md)'
	@echo '  make format      lay out the C files of the samples and common/ with clang-format (.clang-format)'
	@echo '  make bench       measure each sample against its alternative (needs root; bench/README.md)'
	@echo '  make clean       remove build/ and the sample binaries'
	@echo
	@echo '  V=1              show full commands'
	@echo '  SAN=1            build with ASan+UBSan into build-san/'
	@echo '  VMLINUX_H=path   use this vmlinux.h instead of dumping the running kernel BTF'
	@echo '  CLANG=clang-16   choose the BPF compiler'
	@echo
	@echo 'samples: $(SAMPLES)'

deps:
	@scripts/install-deps.sh

# `make sockex1` builds sockex1/sockex1 only (build-san/sockex1/sockex1 with SAN=1).
# A sample left out prints why (`make arena` on a kernel without arenas).
.PHONY: $(SAMPLES) $(NOT_BUILT) new
$(foreach s,$(SAMPLES),$(eval $(s): $(call bin,$(s))))
$(foreach s,$(NOT_BUILT),$(eval $(s): $(BUILD)/$(s).not-built))

# `make format`: the layout .clang-format describes, on every C file of the
# samples (built or not) and of common/; `make check` fails on a file it would
# change (tests/check_format.sh).
FORMAT_FILES := $(wildcard common/*.c common/*.h $(foreach d,$(wildcard */),\
	$(if $(wildcard $(d)$(d:/=)_kern.c),$(d)*.c $(d)*.h)))
format:
	$(Q)clang-format -i $(FORMAT_FILES)

# `make new NAME=my_tool FROM=sockex1`: copy a sample as the start of a tool;
# BARE=1: the tool alone, without its demo and traps (scripts/new-sample.sh).
new:
	$(Q)scripts/new-sample.sh "$(FROM)" "$(NAME)" "$(BARE)"
	$(Q)$(MAKE) --no-print-directory $(NAME)

# ---------------------------------------------------------------------------
# Tool checks: one readable error instead of a wall of compiler output.
TOOLCHECK := $(BUILD)/.toolcheck
$(TOOLCHECK):
	$(Q)mkdir -p $(@D)
	$(Q)command -v $(CLANG) >/dev/null 2>&1 || { \
	  echo "error: '$(CLANG)' not found. Run 'make deps' (or set CLANG=clang-16)." >&2; exit 1; }
	$(Q)$(CLANG) -print-targets 2>/dev/null | grep -qw bpf || { \
	  echo "error: $(CLANG) cannot generate BPF code (no 'bpf' in 'clang -print-targets'). Install a clang built with the BPF target, or set CLANG=." >&2; exit 1; }
	$(Q)command -v $(BPFTOOL) >/dev/null 2>&1 || { \
	  echo "error: '$(BPFTOOL)' not found (needed to generate skeletons). Run 'make deps'." >&2; exit 1; }
	$(Q)$(PKG_CONFIG) --exists libbpf 2>/dev/null || { \
	  echo "error: libbpf development files not found by pkg-config. Run 'make deps' (package libbpf-dev)." >&2; exit 1; }
	$(Q)$(PKG_CONFIG) --atleast-version=1.0 libbpf || { \
	  echo "error: libbpf $$($(PKG_CONFIG) --modversion libbpf) is too old; these samples need libbpf >= 1.0." >&2; exit 1; }
	$(Q)touch $@

# ---------------------------------------------------------------------------
# BPF side

# Rewritten only when the source changes: then vmlinux.h and every object
# are remade.
$(BUILD)/vmlinux.src: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)echo '$(VMLINUX_SRC)' | cmp -s - $@ || echo '$(VMLINUX_SRC)' > $@

$(BUILD)/vmlinux.h: $(BUILD)/vmlinux.src $(VMLINUX_H) | $(TOOLCHECK)
	$(call msg,VMLINUX,$@)
ifdef VMLINUX_H
	$(Q)cp $(VMLINUX_H) $@.tmp && mv $@.tmp $@
else
	$(Q)test -r $(VMLINUX_BTF) || { \
	  echo "error: $(VMLINUX_BTF) not readable: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF). Pass VMLINUX_H=path/to/vmlinux.h." >&2; exit 1; }
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@
endif

# For each <s>/needs line "NAME VERSION" whose NAME is not a word of
# vmlinux.h: NO_KERNEL_<s> := NAME (Linux >= VERSION), the first such line.
$(BUILD)/kernel.mk: $(VMLINUX) $(wildcard */needs)
	$(Q)for f in $(wildcard */needs); do \
	  while read -r name ver; do \
	    [ -n "$$name" ] || continue; \
	    grep -qw "$$name" $(VMLINUX) && continue; \
	    echo "NO_KERNEL_$${f%/needs} := $$name (Linux >= $$ver)"; break; \
	  done < $$f; \
	done > $@.tmp && mv $@.tmp $@

# A sample left out: one line saying why, the reason in $(BUILD)/<s>.not-built
# for the tests, and nothing of it left from an earlier build (objects,
# skeleton, binaries: they would not be this build's).
NOT_BUILT_MARKERS := $(foreach s,$(NOT_BUILT),$(BUILD)/$(s).not-built)
$(BUILD)/%.not-built: FORCE
	@echo "$*: not built: $(NOT_BUILT_$*)"
	$(Q)mkdir -p $(@D)
	$(Q)echo "$(NOT_BUILT_$*)" > $@
	$(Q)rm -rf $(BUILD)/$* $(call bin,$*) $(BUILD)/tests/test_$*
# ... and never remade: a helper's dependency file from an earlier build may
# still name the skeleton (bench/arena_read includes arena's where it exists).
$(foreach s,$(NOT_BUILT),$(eval $(BUILD)/$(s)/$(s).skel.h $(BUILD)/$(s)/$(s).bpf.o: ; @:))

$(BUILD)/%.bpf.o: %_kern.c $(VMLINUX) | $(TOOLCHECK)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(<D) -MMD -MP -c $< -o $@

# Helpers of the tests and the benchmarks (tools/, bench/) build the same way.
$(BUILD)/%.bpf.o: tools/%_kern.c $(VMLINUX) | $(TOOLCHECK)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(<D) -MMD -MP -c $< -o $@

$(BUILD)/%.bpf.o: bench/%_kern.c $(VMLINUX) | $(TOOLCHECK)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(<D) -MMD -MP -c $< -o $@

# The skeleton name is the sample name: struct sockex1 *skel = sockex1__open().
$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@.tmp && mv $@.tmp $@

# ---------------------------------------------------------------------------
# User side

$(BUILD)/common/%.o: common/%.c | $(TOOLCHECK)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(COMMON_LIB): $(COMMON_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# The per-sample rules: user objects wait for that sample's skeleton.
define SAMPLE_RULES
$(BUILD)/$(1)/$(1).bpf.o: CLANG := $(call sample_clang,$(1))
$(1)_USER_SRCS := $$(filter-out $(1)/$(1)_kern.c,$$(wildcard $(1)/*.c))
$(1)_USER_OBJS := $$(patsubst $(1)/%.c,$(BUILD)/$(1)/%.o,$$($(1)_USER_SRCS))

$(BUILD)/$(1)/%.o: $(1)/%.c $(BUILD)/$(1)/$(1).skel.h | $(TOOLCHECK)
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$(CPPFLAGS) -I$(BUILD)/$(1) -I$(1) $$(CFLAGS) -MMD -MP -c $$< -o $$@

# Optional <s>/ldlibs: extra linker flags for this sample and its test
# only (e.g. -lxdp for AF_XDP's xsk.h), so no other binary depends on them.
$(1)_LDLIBS := $$(if $$(wildcard $(1)/ldlibs),$$(shell cat $(1)/ldlibs))
$(BUILD)/tests/test_$(1): LDLIBS += $$($(1)_LDLIBS)

$(call bin,$(1)): $$($(1)_USER_OBJS) $(COMMON_LIB) $$(wildcard $(1)/ldlibs)
	$$(call msg,LINK,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$($(1)_USER_OBJS) $(COMMON_LIB) $$(LDLIBS) $$($(1)_LDLIBS)
	$(Q)rm -f $(BUILD)/$(1).not-built

# tests/test_<s>.c, if present, includes this sample's skeleton and header.
$(BUILD)/tests/test_$(1).o: tests/test_$(1).c $(BUILD)/$(1)/$(1).skel.h | $(TOOLCHECK)
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$(CPPFLAGS) -I$(BUILD)/$(1) -I$(1) -Itests $$(CFLAGS) -MMD -MP -c $$< -o $$@
endef
$(foreach s,$(SAMPLES),$(eval $(call SAMPLE_RULES,$(s))))

# ---------------------------------------------------------------------------
# Helper programs, not samples: tools/<t>/ (used by the tests and the
# benchmarks, e.g. the traffic generator) and bench/<b>/ (`make bench`). Each
# directory's *.c files (except <t>_kern.c, which gets a skeleton like a
# sample's) link into $(BUILD)/tools/<t> or $(BUILD)/bench/<b>. They may include
# any sample's skeleton and header: "xdp_stats/xdp_stats.skel.h".
TOOLS   := $(sort $(notdir $(patsubst %/,%,$(wildcard tools/*/))))
# (only folders with C sources: a bench may be a script, bench/<b>/<b>.sh)
BENCHES := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard bench/*/*.c)))))
SAMPLE_SKELS := $(foreach s,$(SAMPLES),$(BUILD)/$(s)/$(s).skel.h)

# HELPER_RULES dir name (variables prefixed H_: a helper's name must not
# reuse a sample's variables; its objects share build/<name>/, so the names
# of samples, tools and benches must differ, which is checked below)
define HELPER_RULES
H_$(2)_SKEL := $$(if $$(wildcard $(1)/$(2)/$(2)_kern.c),$(BUILD)/$(2)/$(2).skel.h)
H_$(2)_USER_SRCS := $$(filter-out $(1)/$(2)/$(2)_kern.c,$$(wildcard $(1)/$(2)/*.c))
H_$(2)_USER_OBJS := $$(patsubst $(1)/$(2)/%.c,$(BUILD)/$(2)/%.o,$$(H_$(2)_USER_SRCS))
H_$(2)_LDLIBS := $$(if $$(wildcard $(1)/$(2)/ldlibs),$$(shell cat $(1)/$(2)/ldlibs))

$(BUILD)/$(2)/%.o: $(1)/$(2)/%.c $$(H_$(2)_SKEL) $(SAMPLE_SKELS) | $(TOOLCHECK) $(NOT_BUILT_MARKERS)
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$(CPPFLAGS) -I$(BUILD)/$(2) -I$(BUILD) -I. -I$(1)/$(2) -Itests $$(CFLAGS) -MMD -MP -c $$< -o $$@

$(BUILD)/$(1)/$(2): $$(H_$(2)_USER_OBJS) $(COMMON_LIB) $$(wildcard $(1)/$(2)/ldlibs)
	$$(call msg,LINK,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$(H_$(2)_USER_OBJS) $(COMMON_LIB) $$(LDLIBS) $$(H_$(2)_LDLIBS) -lpthread
endef
$(foreach t,$(TOOLS),$(eval $(call HELPER_RULES,tools,$(t))))
$(foreach b,$(BENCHES),$(eval $(call HELPER_RULES,bench,$(b))))
$(foreach n,$(filter $(SAMPLES),$(TOOLS) $(BENCHES)),$(error tools/$(n) or bench/$(n) has the name of the sample $(n)/: objects of both would land in $(BUILD)/$(n)/; rename the helper))
TOOL_BINS  := $(addprefix $(BUILD)/tools/,$(TOOLS))
BENCH_BINS := $(addprefix $(BUILD)/bench/,$(BENCHES))

# ---------------------------------------------------------------------------
# Tests: tests/test_<s>.c tests sample <s> and includes its skeleton; any other
# tests/*.c is harness code.

$(BUILD)/tests/%.o: tests/%.c | $(TOOLCHECK)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(HARNESS_OBJS) $(COMMON_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpthread

tests: $(TEST_BINS) $(TOOL_BINS)

# `sudo make check`: map-semantics tests in C, then end-to-end tests of every
# binary. Ends with the line "N passed, N failed, N skipped".
# T=sockex1 limits both layers to the samples named.
CHECK_DEPS := $(if $(T),$(foreach s,$(T),$(if $(filter $(s),$(SAMPLES)),$(call bin,$(s)) $(filter $(BUILD)/tests/test_$(s),$(TEST_BINS)))) $(TOOL_BINS),all $(TEST_BINS) $(TOOL_BINS))
# The robustness suite also runs every demo built with ASan+UBSan, so the
# sanitized tree (SAN=1, build-san/) is built first.
check: $(CHECK_DEPS)
	$(Q)$(if $(SANFLAGS),,$(MAKE) --no-print-directory SAN=1 $(or $(T),all))
	$(Q)BUILD=$(BUILD) BIN=$(BIN) tests/run $(T)

# `sudo make vmcheck`: the map-semantics tests and the end-to-end suite of
# `make check`, run inside a QEMU guest that boots Debian 12's own kernel (6.1)
# over this machine's root file system, on the binaries built here
# (tests/vm/run). T= as for check. Ends with the guest's
# "N passed, N failed, N skipped"; a guest that hangs or panics is a FAIL.
.PHONY: vmcheck
vmcheck: $(CHECK_DEPS)
	$(Q)tests/vm/run env BUILD=$(BUILD) BIN=$(BIN) CHECK_LAYERS="maps e2e" tests/run $(T)

clean:
	$(call msg,CLEAN,build)
	$(Q)rm -rf build build-san $(foreach s,$(SAMPLES) $(NOT_BUILT),$(s)/$(s))

# `sudo make bench`: the data paths measured side by side (bench/run). Not part
# of `make check`: it measures, it does not test.
bench: all $(TOOL_BINS) $(BENCH_BINS)
	$(Q)BUILD=$(BUILD) BIN=$(BIN) bench/run $(BENCH_ARGS)

-include $(wildcard $(BUILD)/*/*.d)
