# make test                    every test the project has (Rust, C, C++, Python)
# make install PREFIX=/usr/local  the C library (shared, with SONAME, and static), C and C++ headers, pkg-config file
# make lib                     build the C library (the ffi/ crate) into target/release
# make header                  regenerate include/cloud_elements.h (cbindgen, via ffi/build.rs)
# make check-header            fail when the committed include/cloud_elements.h is stale
# make bench                   cost per created instance vs requests, curl and the floor -> bench/RESULTS.md
#                              (N=20000 REPEATS=5 by default; make bench N=200 REPEATS=1 writes build/bench/RESULTS.md)
# make bench-smoke             the same on a tiny N (50), results to a temporary file

PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DESTDIR    ?=
CARGO      ?= cargo

VERSION   := $(shell sed -n 's/^version = "\(.*\)"/\1/p' ffi/Cargo.toml | head -n 1)
MAJOR     := $(word 1,$(subst ., ,$(VERSION)))
MINOR     := $(word 2,$(subst ., ,$(VERSION)))
# Matches ffi/build.rs: 0.x releases may break the ABI in a minor release.
SOVERSION := $(if $(filter 0,$(MAJOR)),0.$(MINOR),$(MAJOR))
RELEASE   := $(or $(CARGO_TARGET_DIR),target)/release

.PHONY: test lib header check-header install uninstall clean bench bench-smoke

test:
	bash scripts/test.sh

# The Python module that maturin builds from the root crate is a `libcloud_elements.so` too, in the
# same directory: when it replaced ours, cargo (whose own build is fresh) would not copy ours back,
# so the C library's package is cleaned and linked again.
lib:
	$(CARGO) build --release -p cloud-elements-ffi
	@nm -D --defined-only $(RELEASE)/libcloud_elements.so 2>/dev/null | grep -q ' ce_create_instance$$' || { \
	    echo "libcloud_elements.so is not the C library (the Python module's build replaced it): relinking"; \
	    $(CARGO) clean -q --release -p cloud-elements-ffi && $(CARGO) build --release -p cloud-elements-ffi; }

header:
	bash scripts/header.sh

check-header:
	bash scripts/header.sh --check

# Variables given on make's command line (N, REPEATS, MEMORY_N, CALLGRIND, OUT) reach bench/run.py
# through the environment.
bench:
	python3 bench/run.py

bench-smoke:
	python3 bench/run.py --smoke

install: lib
	install -d "$(DESTDIR)$(LIBDIR)/pkgconfig" "$(DESTDIR)$(INCLUDEDIR)"
	install -m 644 include/cloud_elements.h "$(DESTDIR)$(INCLUDEDIR)/cloud_elements.h"
	install -d "$(DESTDIR)$(INCLUDEDIR)/cloud_elements"
	install -m 644 bindings/cpp/cloud_elements.hpp "$(DESTDIR)$(INCLUDEDIR)/cloud_elements.hpp"
	install -m 644 bindings/cpp/cloud_elements/*.hpp "$(DESTDIR)$(INCLUDEDIR)/cloud_elements/"
	install -m 755 $(RELEASE)/libcloud_elements.so "$(DESTDIR)$(LIBDIR)/libcloud_elements.so.$(VERSION)"
	ln -sf libcloud_elements.so.$(VERSION) "$(DESTDIR)$(LIBDIR)/libcloud_elements.so.$(SOVERSION)"
	ln -sf libcloud_elements.so.$(SOVERSION) "$(DESTDIR)$(LIBDIR)/libcloud_elements.so"
	install -m 644 $(RELEASE)/libcloud_elements.a "$(DESTDIR)$(LIBDIR)/libcloud_elements.a"
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' bindings/c/cloud_elements.pc.in > "$(DESTDIR)$(LIBDIR)/pkgconfig/cloud_elements.pc"

uninstall:
	rm -rf "$(DESTDIR)$(INCLUDEDIR)/cloud_elements.hpp" "$(DESTDIR)$(INCLUDEDIR)/cloud_elements"
	rm -f "$(DESTDIR)$(INCLUDEDIR)/cloud_elements.h" "$(DESTDIR)$(LIBDIR)/libcloud_elements.so"* \
	      "$(DESTDIR)$(LIBDIR)/libcloud_elements.a" "$(DESTDIR)$(LIBDIR)/pkgconfig/cloud_elements.pc"

clean:
	$(CARGO) clean
	rm -rf build dist
