#!/usr/bin/env bash
# What `#[retry]` costs at compile time.
#
# Generates two small crates outside the source tree (under the target
# directory): 200 functions with
#     #[retry(exponential(n = 3, initial = "10ms"), blacklist(E::A))]
# and the same 200 functions written by hand as loops. Measures, in debug
# builds (what `cargo build` does while developing):
#   - the incremental rebuild after touching the file (median of RUNS),
#   - the clean build of each crate with its dependencies,
#   - the clean build of the macro crate (retry-macros) with its dependencies
#     (proc-macro2, quote, syn, humantime): what a user's first build pays.
# Then prints a table.
#
#   bash scripts/compile-time.sh            # N=200 functions, RUNS=3
#   N=50 RUNS=5 bash scripts/compile-time.sh
#
# Offline apart from the package registry: the crates depend on this
# checkout by path and reuse its Cargo.lock, so nothing new is resolved.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
N="${N:-200}"
RUNS="${RUNS:-3}"
base="${CARGO_TARGET_DIR:-$repo/target}/compile-time"

rm -rf "$base"
mkdir -p "$base"

manifest() { # name, dependencies
    cat <<EOF
[package]
name = "$1"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
$2

# Its own workspace: not a member of the one it sits under.
[workspace]
EOF
}

gen_annotated() {
    local dir="$base/annotated"
    mkdir -p "$dir/src"
    manifest annotated "reattempt = { path = \"$repo\" }" >"$dir/Cargo.toml"
    {
        echo '//! 200 functions with #[retry].'
        echo 'use reattempt::retry;'
        echo '#[derive(Debug)]'
        echo 'pub enum E { A, B }'
        for i in $(seq 1 "$N"); do
            cat <<EOF
#[retry(exponential(n = 3, initial = "10ms"), blacklist(E::A))]
pub fn f$i(x: u32) -> Result<u32, E> {
    if x == $i { Err(E::B) } else { Ok(x + $i) }
}
EOF
        done
    } >"$dir/src/lib.rs"
}

gen_hand() {
    local dir="$base/hand"
    mkdir -p "$dir/src"
    manifest hand "" >"$dir/Cargo.toml"
    {
        echo '//! The same 200 functions, retried by hand-written loops.'
        echo '#[derive(Debug)]'
        echo 'pub enum E { A, B }'
        for i in $(seq 1 "$N"); do
            cat <<EOF
pub fn f$i(x: u32) -> Result<u32, E> {
    let mut delay = std::time::Duration::from_millis(10);
    let mut retries = 0;
    loop {
        let result = (|| if x == $i { Err(E::B) } else { Ok(x + $i) })();
        match result {
            Err(ref e) if retries < 3 && !matches!(e, E::A) => {
                retries += 1;
                std::thread::sleep(delay);
                delay *= 2;
            }
            result => return result,
        }
    }
}
EOF
        done
    } >"$dir/src/lib.rs"
}

now() { date +%s.%N; }

# Seconds taken by "$@" (run in crate dir $1 with its own target dir).
timed() {
    local dir="$1"
    shift
    local start end
    start=$(now)
    (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo "$@" -q)
    end=$(now)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

gen_annotated
gen_hand
cp "$repo/Cargo.lock" "$base/annotated/Cargo.lock"

echo "== clean builds (debug)" >&2
macros_clean=$(timed "$base/annotated" build -p retry-macros)
rm -rf "$base/annotated/target"
annotated_clean=$(timed "$base/annotated" build)
hand_clean=$(timed "$base/hand" build)

echo "== incremental rebuilds after touching src/lib.rs (debug, $RUNS runs)" >&2
declare -a a_runs=() h_runs=()
for _ in $(seq 1 "$RUNS"); do
    touch "$base/annotated/src/lib.rs"
    a_runs+=("$(timed "$base/annotated" build)")
    touch "$base/hand/src/lib.rs"
    h_runs+=("$(timed "$base/hand" build)")
done
a_inc=$(median "${a_runs[@]}")
h_inc=$(median "${h_runs[@]}")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'; }

cat <<EOF

$N functions, debug profile, $(rustc --version), $(nproc) cores

| build | #[retry] | by hand | ratio |
|---|---:|---:|---:|
| incremental rebuild (touch, median of $RUNS) | $(printf '%.2f' "$a_inc") s | $(printf '%.2f' "$h_inc") s | $(ratio "$a_inc" "$h_inc") |
| clean build, crate + dependencies | $(printf '%.2f' "$annotated_clean") s | $(printf '%.2f' "$hand_clean") s | – |
| clean build of retry-macros + its dependencies | $(printf '%.2f' "$macros_clean") s | – | – |

incremental runs: #[retry] ${a_runs[*]}; by hand ${h_runs[*]}
EOF
