#!/usr/bin/env bash
# Builds and caches the VM test bed's initramfs: static busybox, tests/vm/init and the kernel modules the guest
# needs before it can reach the host root. Usage: mkinitramfs.sh [--kver VERSION] [OUTDIR]  (prints the image path)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

kver=""
outdir=${HR_VM_DIR:-$repo/build/vm}
while [ $# -gt 0 ]; do
        case $1 in
        --kver) kver=${2:?--kver needs a version}; shift 2 ;;
        -h|--help) sed -n '2,3s/^# \{0,1\}//p' "$0"; exit 0 ;;
        -*) echo "mkinitramfs: unknown option $1" >&2; exit 2 ;;
        *) outdir=$1; shift ;;
        esac
done

skip() { echo "mkinitramfs: SKIP: $*" >&2; exit 77; }
die() { echo "mkinitramfs: $*" >&2; exit 1; }

# Modules insmod'ed in the guest, each after its dependencies from modules.dep. Ones built into the kernel are
# skipped. Everything else (sock_diag for CRIU, ...) the guest kernel loads on demand through the host root's
# /sbin/modprobe once init has switched root.
modules=(virtio_pci 9pnet_virtio 9p overlay zram lz4 zstd)

if [ -z "$kver" ]; then
        kver=$(uname -r)
fi
moddir=/lib/modules/$kver
[ -r "$moddir/modules.dep" ] || skip "no $moddir/modules.dep (install linux-image-amd64, or pass --kver)"

busybox=""
for b in /bin/busybox /usr/bin/busybox; do
        if [ -x "$b" ] && ! LC_ALL=C ldd "$b" >/dev/null 2>&1; then busybox=$b; break; fi
done
[ -n "$busybox" ] || skip "no statically linked busybox (install busybox-static)"
command -v cpio >/dev/null || skip "no cpio (install cpio)"

mkdir -p "$outdir" || die "cannot create output directory $outdir"
image=$outdir/initramfs-$kver.cpio
keyfile=$image.key

# The cache key: kernel version, this script, the guest init, busybox and the kernel's module table.
key=$( {
        echo "$kver"
        sha256sum "$here/mkinitramfs.sh" "$here/init" "$busybox" "$moddir/modules.dep" "$moddir/modules.builtin" 2>/dev/null || true
} | sha256sum | cut -d' ' -f1)

exec 9>"$outdir/.mkinitramfs.lock"
flock 9 || die "cannot lock $outdir/.mkinitramfs.lock"

if [ -s "$image" ] && [ "$(cat "$keyfile" 2>/dev/null)" = "$key" ]; then
        echo "$image"
        exit 0
fi

# modules.dep: "kernel/path/name.ko[.xz]: dep.ko dep.ko ..."; module names treat '-' and '_' alike.
declare -A path_of deps_of
while IFS= read -r line; do
        rel=${line%%:*}
        base=${rel##*/}
        name=${base%%.ko*}
        name=${name//-/_}
        path_of[$name]=$rel
        deps_of[$rel]=${line#*:}
done <"$moddir/modules.dep"

declare -A builtin
if [ -r "$moddir/modules.builtin" ]; then
        while IFS= read -r rel; do
                base=${rel##*/}
                name=${base%%.ko*}
                builtin[${name//-/_}]=1
        done <"$moddir/modules.builtin"
fi

# Depth-first: a module's dependencies (and theirs) come before it; each file once.
declare -A seen
order=()
visit() {
        local rel=$1 dep
        [ -n "${seen[$rel]:-}" ] && return 0
        seen[$rel]=1
        for dep in ${deps_of[$rel]}; do
                visit "$dep"
        done
        order+=("$rel")
}
for m in "${modules[@]}"; do
        n=${m//-/_}
        if [ -n "${path_of[$n]:-}" ]; then
                visit "${path_of[$n]}"
        elif [ -n "${builtin[$n]:-}" ]; then
                echo "mkinitramfs: $m is built into $kver" >&2
        else
                die "module $m is neither in $moddir/modules.dep nor built in"
        fi
done

stage=$(mktemp -d "$outdir/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,mnt,newroot,lib/modules}
ln -s bin "$stage/sbin"
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
done
install -m 0755 "$here/init" "$stage/init"

# Modules go in flat, decompressed on the host (busybox insmod may lack xz/zstd), with their load order.
: >"$stage/lib/modules/load-order"
for rel in "${order[@]}"; do
        src=$moddir/$rel
        base=${rel##*/}
        case $base in
        *.ko) cp "$src" "$stage/lib/modules/$base" ;;
        *.ko.xz) xz -dc "$src" >"$stage/lib/modules/${base%.xz}" || die "cannot decompress $src (xz-utils?)" ;;
        *.ko.zst) zstd -qdc "$src" >"$stage/lib/modules/${base%.zst}" || die "cannot decompress $src (zstd?)" ;;
        *.ko.gz) gzip -dc "$src" >"$stage/lib/modules/${base%.gz}" || die "cannot decompress $src" ;;
        *) die "unexpected module file $src" ;;
        esac
        echo "${base%.ko*}.ko" >>"$stage/lib/modules/load-order"
done
echo "$kver" >"$stage/lib/modules/kver"

tmpimg=$(mktemp "$outdir/.initramfs.XXXXXX")
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) >"$tmpimg" \
        || { rm -f "$tmpimg"; die "cpio failed building $image"; }
mv "$tmpimg" "$image"
echo "$key" >"$keyfile"
echo "mkinitramfs: built $image ($(du -k "$image" | cut -f1) KiB, ${#order[@]} modules for $kver)" >&2
echo "$image"
