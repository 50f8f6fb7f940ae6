//! Generates `cloud_elements.h` from `src/` with cbindgen into `OUT_DIR`, gives the shared C
//! library its SONAME and limits its exports to `ce_*` (cloud_elements.map).
//!
//! Nothing here writes into the source tree: `make header` copies the generated header to
//! `include/cloud_elements.h` (committed), and `make check-header` (run by scripts/test-c.sh) fails
//! when the committed one differs.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=cloud_elements.map");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CE_HEADER_STRICT");

    let version = |part: &str| std::env::var(format!("CARGO_PKG_VERSION_{part}")).unwrap_or_default();
    let (major, minor, patch) = (version("MAJOR"), version("MINOR"), version("PATCH"));
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());

    if std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux") {
        // 0.x releases may break the ABI in a minor release, as semver allows.
        let soname = if major == "0" { format!("0.{minor}") } else { major.clone() };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcloud_elements.so.{soname}");
        let map = Path::new(&crate_dir).join("cloud_elements.map");
        println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={}", map.display());
    }

    let mut config = match cbindgen::Config::from_file(Path::new(&crate_dir).join("cbindgen.toml")) {
        Ok(config) => config,
        Err(e) => panic!("cbindgen.toml: {e}"),
    };
    config.after_includes = Some(format!(
        "\n#define CE_VERSION_MAJOR {major}\n#define CE_VERSION_MINOR {minor}\n#define CE_VERSION_PATCH {patch}\n\n\
         /** A token buffer size for ce_provision(): ample for the platform's tokens (about 40 bytes). */\n\
         #define CE_TOKEN_BUFFER_SIZE 256\n"
    ));
    // scripts/test.sh sets CE_HEADER_STRICT so that a header that cannot be generated fails the
    // build at once; otherwise rustc reports the real error (a parse error in src/, say).
    let strict = std::env::var_os("CE_HEADER_STRICT").is_some();
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let header = Path::new(&out_dir).join("cloud_elements.h");
    match cbindgen::Builder::new().with_crate(&crate_dir).with_config(config).generate() {
        Ok(bindings) => {
            bindings.write_to_file(&header);
        }
        Err(e) if strict => panic!("cbindgen could not generate the header: {e}"),
        Err(e) => {
            // No header at all, rather than a stale one: `make check-header` then fails.
            let _ = std::fs::remove_file(&header);
            println!("cargo:warning=cbindgen did not generate the header: {e}");
        }
    }
}
