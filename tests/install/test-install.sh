#!/usr/bin/env bash
# The install test: `meson install` into a temporary DESTDIR, then check what landed there and that it agrees with
# the programs and docs/configuration.md. Usage: test-install.sh BUILD_ROOT SOURCE_ROOT MESON (suite 'install').
set -uo pipefail

build=${1:?build root}
src=${2:?source root}
meson=${3:-}

if [[ -z $meson || ! -x $meson ]]; then
        echo "SKIP: no meson to run 'meson install' with"
        exit 77
fi

dest=$(mktemp -d "${TMPDIR:-/tmp}/headroom-install.XXXXXX") || exit 1
trap 'rm -rf "$dest"' EXIT

failures=0
fail() {
        echo "FAIL: $*"
        failures=$((failures + 1))
}
ok() {
        echo "ok: $*"
}

if ! out=$("$meson" install -C "$build" --destdir "$dest" --no-rebuild 2>&1); then
        echo "$out"
        echo "FAIL: meson install -C $build --destdir $dest"
        exit 1
fi

# Prints the one installed file whose path ends in $1 (a find -path pattern), or why not and returns 1.
installed() {
        local found
        found=$(find "$dest" -path "*/$1" \( -type f -o -type l \) | sort)
        if [[ -z $found ]]; then
                echo "nothing installed as .../$1"
                return 1
        fi
        if [[ $(wc -l <<<"$found") -ne 1 ]]; then
                echo "more than one .../$1:" "${found//$'\n'/ }"
                return 1
        fi
        echo "$found"
}

# --- files ---------------------------------------------------------------------------------------------------------
declare -A at
for f in sbin/headroomd bin/headroomctl \
        systemd/system/headroomd.service systemd/user/headroomd.service \
        man/man8/headroomd.8 man/man1/headroomctl.1 man/man5/headroom.conf.5 \
        bash-completion/completions/headroomctl bash-completion/completions/headroomd \
        headroom/headroom.conf.example headroom/headroomd-checkpoint.conf; do
        if p=$(installed "$f"); then
                at[$f]=$p
                ok "installed ${p#"$dest"}"
        else
                fail "$p"
        fi
done
for f in sbin/headroomd bin/headroomctl; do
        [[ -n ${at[$f]:-} && -x ${at[$f]} ]] || fail "$f is not executable"
done
if [[ -n ${at[headroom/headroom.conf.example]:-} ]]; then
        cmp -s "${at[headroom/headroom.conf.example]}" "$src/etc/headroom.conf.example" ||
                fail "the installed headroom.conf.example differs from etc/headroom.conf.example"
fi

# --- units ---------------------------------------------------------------------------------------------------------
# ExecStart= names the installed daemon (DESTDIR + that path is it), nothing is left unsubstituted.
check_unit() { # file, expected ExecStart arguments
        local unit=$1 args=$2 exec
        [[ -n $unit ]] || return
        if grep -nE '@[A-Za-z_]+@' "$unit"; then
                fail "${unit#"$dest"}: @VARIABLE@ left unsubstituted"
        fi
        exec=$(sed -n 's/^ExecStart=//p' "$unit")
        if [[ $exec != /*"/headroomd$args" ]]; then
                fail "${unit#"$dest"}: ExecStart=$exec"
        elif [[ ! -x $dest${exec%"$args"} ]]; then
                fail "${unit#"$dest"}: ExecStart=$exec is not the installed daemon"
        else
                ok "${unit#"$dest"}: ExecStart=$exec"
        fi
        grep -q '^Type=notify$' "$unit" || fail "${unit#"$dest"}: not Type=notify"
}
check_unit "${at[systemd/system/headroomd.service]:-}" ""
check_unit "${at[systemd/user/headroomd.service]:-}" " --user"

# systemd-analyze verify, on copies whose ExecStart= points into DESTDIR (verify checks the program exists) and with
# MANPATH on the installed pages (it checks Documentation=); the system unit also with the checkpoint drop-in.
if command -v systemd-analyze >/dev/null && [[ -n ${at[systemd/system/headroomd.service]:-} &&
        -n ${at[systemd/user/headroomd.service]:-} && -n ${at[man/man8/headroomd.8]:-} ]]; then
        v=$dest/.verify
        mkdir -p "$v/system" "$v/user" "$v/runtime"
        chmod 700 "$v/runtime"
        exec_dir=$(sed -n 's|^ExecStart=\(.*\)/headroomd.*|\1|p' "${at[systemd/system/headroomd.service]}")
        for mode in system user; do
                sed "s|^ExecStart=$exec_dir/|ExecStart=$dest$exec_dir/|" \
                        "${at[systemd/$mode/headroomd.service]}" >"$v/$mode/headroomd.service"
        done
        manpath=$(dirname "$(dirname "${at[man/man8/headroomd.8]}")")
        verify() { # label, systemd-analyze arguments...
                local label=$1 out
                shift
                if out=$(MANPATH=$manpath XDG_RUNTIME_DIR=$v/runtime SYSTEMD_LOG_LEVEL=notice \
                        systemd-analyze "$@" 2>&1) && [[ -z $out ]]; then
                        ok "systemd-analyze verify: $label"
                else
                        echo "$out"
                        fail "systemd-analyze verify: $label"
                fi
        }
        verify "system unit" verify "$v/system/headroomd.service"
        verify "user unit" --user verify "$v/user/headroomd.service"
        if [[ -n ${at[headroom/headroomd-checkpoint.conf]:-} ]]; then
                mkdir -p "$v/system/headroomd.service.d"
                cp "${at[headroom/headroomd-checkpoint.conf]}" "$v/system/headroomd.service.d/checkpoint.conf"
                verify "system unit with the checkpoint drop-in" verify "$v/system/headroomd.service"
        fi
else
        echo "note: systemd-analyze not found, units not verified"
fi

# --- man pages -----------------------------------------------------------------------------------------------------
version=$("${at[sbin/headroomd]:-false}" --version 2>/dev/null | awk '{ print $2 }')
for page in man/man8/headroomd.8 man/man1/headroomctl.1 man/man5/headroom.conf.5; do
        file=${at[$page]:-}
        [[ -n $file ]] || continue
        grep -nE '@[A-Za-z_]+@' "$file" && fail "$page: @VARIABLE@ left unsubstituted"
        grep -q "^\.TH .* \"headroom $version\"" "$file" || fail "$page: .TH does not name headroom $version"
        if command -v groff >/dev/null; then
                out=$(groff -man -Tutf8 -ww -z "$file" 2>&1)
                if [[ -z $out ]]; then ok "$page: groff -ww"; else echo "$out"; fail "$page: groff warnings"; fi
        fi
        if command -v mandoc >/dev/null; then
                out=$(mandoc -Tlint "$file" 2>&1)
                if [[ -z $out ]]; then ok "$page: mandoc -Tlint"; else echo "$out"; fail "$page: mandoc -Tlint"; fi
        fi
done

# The text of a page with font escapes and \- \e \& resolved (what a reader sees, one source line a line).
plain() {
        sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\&//g' "$1"
}

# Every long option headroomd --help and headroomctl --help list is in its page and in the completion.
completion=${at[bash-completion/completions/headroomctl]:-}
for prog in sbin/headroomd bin/headroomctl; do
        [[ -n ${at[$prog]:-} ]] || continue
        case $prog in
        sbin/headroomd) page=${at[man/man8/headroomd.8]:-} ;;
        *) page=${at[man/man1/headroomctl.1]:-} ;;
        esac
        opts=$("${at[$prog]}" --help 2>&1 | grep -oE -- '--[a-z][a-z-]*' | sort -u)
        text=
        [[ -n $page ]] && text=$(plain "$page")
        for o in $opts; do
                [[ -n $page ]] && ! grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" <<<"$text" &&
                        fail "${prog#*/} $o (from --help) is not in ${page##*/}"
                [[ -n $completion ]] && ! grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" "$completion" &&
                        fail "${prog#*/} $o (from --help) is not in the bash completion"
        done
        ok "${prog#*/}: options of --help in its page and the completion: ${opts//$'\n'/ }"
done

# headroom.conf(5) lists docs/configuration.md's keys: each section, and under it each key as
# "Key=type (default D; bounds)".
conf_page=${at[man/man5/headroom.conf.5]:-}
if [[ -n $conf_page ]]; then
        # section <TAB> entry header, from the page
        have=$(plain "$conf_page" | awk '
                /^\.S[SH] / { sub(/^\.S[SH] /, ""); gsub(/"/, ""); section = $0; next }
                prev == ".TP" { print section "\t" $0 }
                { prev = $0 }')
        # section <TAB> the header the page must have, from the markdown tables
        want=$(awk -F'|' '
                /^### / { sub(/^### /, ""); section = $0; next }
                /^## / { section = ""; next }
                section != "" && /^\| `[A-Za-z]+=` \|/ {
                        gsub(/\\\|/, "\001")
                        for (i = 2; i <= 5; i++) { gsub(/^ +| +$/, "", $i); gsub(/`/, "", $i); gsub("\001", "|", $i) }
                        line = $2 $3 " (default " $4
                        if ($5 != "") line = line "; " $5
                        print section "\t" line ")"
                }' "$src/docs/configuration.md")
        n=0
        while IFS= read -r w; do
                n=$((n + 1))
                grep -qxF -- "$w" <<<"$have" || fail "headroom.conf.5 lacks ${w%%$'\t'*}: ${w#*$'\t'}"
        done <<<"$want"
        if [[ $n -gt 60 ]]; then
                ok "headroom.conf.5: the $n keys of docs/configuration.md, with type, default and bounds"
        else
                fail "only $n keys read from docs/configuration.md"
        fi
fi

# The configuration examples of headroom.conf(5), all together, are a valid configuration.
if [[ -n $conf_page && -n ${at[sbin/headroomd]:-} ]]; then
        plain "$conf_page" | awk '/^\.EE/ { ex = 0 } ex && !/^headroomd / { print } /^\.EX/ { ex = 1 }' \
                >"$dest/examples.conf"
        if out=$("${at[sbin/headroomd]}" --check-config "$dest/examples.conf" 2>&1); then
                ok "headroom.conf.5: its examples pass headroomd --check-config"
        else
                echo "$out"
                fail "headroom.conf.5: its examples are not a valid configuration"
        fi
fi

# --- bash completion -----------------------------------------------------------------------------------------------
if [[ -n $completion && -n ${at[sbin/headroomd]:-} ]]; then
        bash -n "$completion" || fail "bash -n $completion"
        # Complete in a clean shell, with the installed programs first in PATH; no daemon runs, so unfreeze has
        # nothing to offer (and must say nothing).
        out=$(PATH="$(dirname "${at[sbin/headroomd]}"):$(dirname "${at[bin/headroomctl]}"):$PATH" \
                bash --norc --noprofile -c '
                source "$1"
                c() { local f=_headroomctl; [[ $1 == headroomd ]] && f=_headroomd
                      COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
                      "$f" "$1" "${!#}" ""
                      echo "$*:" "${COMPREPLY[@]}"; }
                c headroomctl ""
                c headroomctl --j
                c headroomctl --socket /nonexistent unfreeze ""
                c headroomd --' _ "$completion" 2>&1)
        grep -qx 'headroomctl : status list unfreeze reload foreground events metrics incidents incident calibrate doctor help' <<<"$out" ||
                fail "headroomctl commands: $out"
        grep -qx 'headroomctl --j: --json' <<<"$out" || fail "headroomctl --j: $out"
        grep -qx 'headroomctl --socket /nonexistent unfreeze :' <<<"$out" || fail "unfreeze without a daemon: $out"
        for o in $("${at[sbin/headroomd]}" --help 2>&1 | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
                grep -q -- "^headroomd --:.* $o\( \|$\)" <<<"$out" || fail "headroomd -- does not offer $o: $out"
        done
        ok "bash completion: commands, options, a quiet unfreeze, headroomd's options"
fi

if [[ $failures -gt 0 ]]; then
        echo "$failures failure(s)"
        exit 1
fi
echo "all installed files in place"
