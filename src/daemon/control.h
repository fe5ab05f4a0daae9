/* SPDX-License-Identifier: MIT */
/* The control socket's transport (docs/protocol.md): a listening Unix socket on the loop, bounded per-client
 * buffers, JSON-lines framing, SO_PEERCRED authorisation and the event stream to subscribers. What each
 * command does is the monitor's (daemon/commands.c), reached through one handler. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "daemon/loop.h"

struct json_object;

#define HR_CONTROL_CLIENTS_MAX 64
#define HR_CONTROL_LINE_MAX 4096          /* one request line, newline excluded */
#define HR_CONTROL_OUT_MAX (256 * 1024)   /* replies and events not yet read: beyond, the client is dropped */

typedef struct HrControlClient {
        int fd;              /* -EBADF: slot free */
        uid_t uid;
        pid_t pid;
        bool subscribed;     /* `events`: gets every broadcast */
        bool closing;        /* close once the output is flushed */
        size_t in_len;
        char *in;            /* HR_CONTROL_LINE_MAX + 1 bytes, and out HR_CONTROL_OUT_MAX bytes, allocated
                              * at accept: an idle daemon keeps no buffers resident */
        char *out;
        size_t out_len;
} HrControlClient;

/* A request from an authorised peer: fills resp (which already has "cmd" and "id") and returns 0, or
 * returns -errno with a one-line reason in err (the transport turns it into ok:false/code/error). */
typedef int (*hr_control_handler)(void *userdata, const HrControlClient *peer, const char *cmd,
                                  struct json_object *req, struct json_object *resp, char *err, size_t err_size);

typedef struct HrControl {
        int listen_fd;                    /* -EBADF: not serving */
        char path[108];                   /* sizeof(sockaddr_un.sun_path) */
        HrLoop *loop;
        bool user_mode;                   /* state-changing requests: the owner too, not only root */
        uid_t owner;
        hr_control_handler handler;
        void *userdata;
        HrControlClient clients[HR_CONTROL_CLIENTS_MAX];
        unsigned n_clients, n_subscribers;
        uint64_t n_requests, n_errors, n_refused, n_dropped, n_events;
} HrControl;

void hr_control_init(HrControl *c);

/* Binds path (a stale socket nobody answers on is replaced; one a live daemon answers on is -EADDRINUSE),
 * mode 0666 in system mode (read-only requests are open to local users) or 0600 in user mode, and
 * serves it on loop. Returns 0 or -errno (logged by the caller). */
int hr_control_open(HrControl *c, HrLoop *loop, const char *path, bool user_mode, hr_control_handler handler,
                    void *userdata);

/* Sends one event object (one line) to every subscriber; a subscriber whose buffer is full is dropped. */
void hr_control_broadcast(HrControl *c, struct json_object *event);

/* One request line (no newline) from cl: parsed, authorised, dispatched to the handler, the reply queued
 * in cl's output (not sent). false when cl was dropped (its output full). The fuzz target's entry. */
bool hr_control_handle_line(HrControl *c, HrControlClient *cl, const char *line, size_t len);

/* Whether a request needs root (or the owner in user mode): unfreeze, reload, foreground. */
bool hr_control_privileged(const char *cmd);

/* Closes every client and the socket, and removes the socket file. */
void hr_control_close(HrControl *c);
