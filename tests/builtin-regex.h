/* SPDX-License-Identifier: MIT */
/* The regexes the built-in command-line and executable rules used before core/config.c matched them by words and
 * path tails: the reference both the unit test (test-config) and the fuzz target (fuzz-rules) hold them to. Two
 * are written as intended rather than as they were: the go and podman/docker ones began "(^|/)", so a bare program
 * name after another word ("sudo docker build", "env go test") was missed, and "( [^ ]+)*" let an empty argument
 * between docker and build hide the match; the word matchers take both. */
#pragma once

#include "core/config.h"

static const struct {
        const char *rule;
        HrMatchField field;
        const char *regex;
} builtin_regex[] = {
        { "jetbrains", HR_MATCH_CMDLINE, "[Jj]et[Bb]rains|com\\.intellij\\.idea\\.Main" },
        { "browser-renderer", HR_MATCH_CMDLINE, "(^| )--type=renderer( |$)" },
        { "firefox-content", HR_MATCH_CMDLINE, "(^| )-contentproc( |$)" },
        { "electron-helper", HR_MATCH_CMDLINE, "(^| )--type=(gpu-process|utility)( |$)" },
        { "go-build", HR_MATCH_EXE, "/pkg/tool/[^/]+/(compile|link|asm|cgo)$" },
        { "go-build-cmd", HR_MATCH_CMDLINE, "(^|[ /])go (build|test|install)( |$)" },
        { "container-build-cmd", HR_MATCH_CMDLINE, "(^|[ /])(podman|docker)( [^ ]*)* (build|buildx)( |$)" },
};
