#!/usr/bin/env bash
# What generating the client at build time costs. Builds the library from
# two copies of the committed tree, each with a cold target directory:
#   live:   as shipped, build.rs runs osigu-codegen (progenitor) on openapi.json;
#   pregen: the same crate with the generated files checked in, and a
#           build.rs that only copies them (no codegen build-dependency).
# For each: a cold `cargo build -p osigu`, a rebuild after touching
# openapi.json (the codegen step plus recompiling the crate; pregen has no
# codegen step, so it recompiles only), and a rebuild after touching src/.
# Usage: scripts/build-cost.sh [--release]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
profile=()
[[ "${1:-}" == "--release" ]] && profile=(--release)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TIMEFORMAT=%R

for variant in live pregen; do
    mkdir -p "$work/$variant"
    git -C "$root" archive HEAD | tar -x -C "$work/$variant"
done

# pregen: generated files in the tree, no build-time codegen.
(cd "$root" && cargo xtask generate --out "$work/pregen/generated")
sed -i '/^\[build-dependencies\]/,/^$/d' "$work/pregen/Cargo.toml"
cat > "$work/pregen/build.rs" <<'RS'
fn main() {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for name in ["osigu_client.rs", "operations.md", "operations.rs"] {
        println!("cargo::rerun-if-changed=generated/{name}");
        std::fs::copy(format!("generated/{name}"), out.join(name)).unwrap();
    }
}
RS

measure() { # variant, label, command...
    local variant=$1 label=$2; shift 2
    local seconds
    seconds=$( { time (cd "$work/$variant" && CARGO_TARGET_DIR="$work/target-$variant" "$@" >/dev/null 2>&1); } 2>&1 )
    printf '| %s | %s | %s s |\n' "$variant" "$label" "$seconds"
}

echo "machine: $(nproc) cores, $(rustc --version)"
echo "| variant | build | wall time |"
echo "| --- | --- | --- |"
for variant in live pregen; do
    measure "$variant" "cold \`cargo build -p osigu\`" cargo build -p osigu "${profile[@]}"
    touch "$work/$variant/openapi.json" "$work/$variant"/generated/*.rs 2>/dev/null || true
    measure "$variant" "rebuild after touching openapi.json (codegen + crate)" cargo build -p osigu "${profile[@]}"
    touch "$work/$variant/src/lib.rs"
    measure "$variant" "rebuild after touching src/lib.rs" cargo build -p osigu "${profile[@]}"
done
