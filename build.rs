//! Generates `include/cloud_elements.h` from `src/ffi/` with cbindgen, and gives the shared C
//! library its SONAME.
//!
//! The header is committed; `make test` fails when a build changes it (a stale header).

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CE_HEADER_STRICT");

    let version = |part: &str| std::env::var(format!("CARGO_PKG_VERSION_{part}")).unwrap_or_default();
    let (major, minor, patch) = (version("MAJOR"), version("MINOR"), version("PATCH"));

    // The Python extension module is a cdylib too, but it is no C library: no SONAME there.
    if std::env::var_os("CARGO_FEATURE_PYTHON").is_none()
        && std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux")
    {
        // 0.x releases may break the ABI in a minor release, as semver allows.
        let soname = if major == "0" { format!("0.{minor}") } else { major.clone() };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcloud_elements.so.{soname}");
    }

    // The Python module has no use for the C header (and an sdist need not carry cbindgen.toml).
    if std::env::var_os("CARGO_FEATURE_PYTHON").is_some() {
        return;
    }

    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let mut config = match cbindgen::Config::from_file(Path::new(&crate_dir).join("cbindgen.toml")) {
        Ok(config) => config,
        Err(e) => panic!("cbindgen.toml: {e}"),
    };
    config.after_includes = Some(format!(
        "\n#define CE_VERSION_MAJOR {major}\n#define CE_VERSION_MINOR {minor}\n#define CE_VERSION_PATCH {patch}\n\n\
         /** A token buffer size for ce_provision(): ample for the platform's tokens (about 40 bytes). */\n\
         #define CE_TOKEN_BUFFER_SIZE 256\n"
    ));
    // make test sets CE_HEADER_STRICT so that a header that cannot be generated fails the build
    // instead of leaving a stale one that would pass the staleness check.
    let strict = std::env::var_os("CE_HEADER_STRICT").is_some();
    let header = Path::new(&crate_dir).join("include/cloud_elements.h");
    let mut generated = Vec::new();
    match cbindgen::Builder::new().with_crate(&crate_dir).with_config(config).generate() {
        Ok(bindings) => bindings.write(&mut generated),
        Err(e) if strict => panic!("cbindgen could not generate {}: {e}", header.display()),
        // A parse error in src/ leaves the header alone; rustc reports the real error.
        Err(e) => {
            println!("cargo:warning=cbindgen did not regenerate the header: {e}");
            return;
        }
    }
    // Rewrite only on change (the mtime stays put); a read-only checkout only warns.
    if std::fs::read(&header).ok().as_deref() != Some(generated.as_slice()) {
        if let Err(e) = std::fs::write(&header, &generated) {
            if strict {
                panic!("could not write {}: {e}", header.display());
            }
            println!("cargo:warning=could not write {}: {e}", header.display());
        }
    }
}
