/* SPDX-License-Identifier: MIT */
/* The control socket's transport: accept4 on the loop, per-client input line buffer and bounded output
 * buffer (EPOLLOUT only while output waits), json-c parsing of each line, the privilege check by
 * SO_PEERCRED, error replies, the event broadcast; a client that floods or does not read is dropped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json.h>

#include "daemon/control.h"
#include "daemon/log.h"
#include "shared/macros.h"

static const char *const privileged_cmds[] = { "unfreeze", "reload", "foreground" };

bool hr_control_privileged(const char *cmd) {
        for (size_t i = 0; i < ELEMENTSOF(privileged_cmds); i++)
                if (strcmp(cmd, privileged_cmds[i]) == 0)
                        return true;
        return false;
}

void hr_control_init(HrControl *c) {
        *c = (HrControl) { .listen_fd = -EBADF };
        for (unsigned i = 0; i < HR_CONTROL_CLIENTS_MAX; i++)
                c->clients[i].fd = -EBADF;
}

/* ---- clients ---- */

static void client_close(HrControl *c, HrControlClient *cl) {
        if (cl->fd < 0)
                return;
        if (c->loop)
                (void) hr_loop_remove_fd(c->loop, cl->fd);
        cl->fd = hr_close(cl->fd);
        if (cl->subscribed)
                c->n_subscribers--;
        c->n_clients--;
        free(cl->in);
        free(cl->out);
        *cl = (HrControlClient) { .fd = -EBADF };
}

/* Writes what it can without blocking; watches for EPOLLOUT while output remains. false: the client is gone. */
static bool client_flush(HrControl *c, HrControlClient *cl) {
        while (cl->out_len > 0) {
                ssize_t k = send(cl->fd, cl->out, cl->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                break;
                        client_close(c, cl);
                        return false;
                }
                memmove(cl->out, cl->out + k, cl->out_len - (size_t) k);
                cl->out_len -= (size_t) k;
        }
        if (cl->out_len == 0 && cl->closing) {
                client_close(c, cl);
                return false;
        }
        (void) hr_loop_modify_fd(c->loop, cl->fd, EPOLLIN | (cl->out_len > 0 ? EPOLLOUT : 0));
        return true;
}

/* Queues one line; a client that has let HR_CONTROL_OUT_MAX pile up is dropped. false: dropped. */
static bool client_queue(HrControl *c, HrControlClient *cl, json_object *o) {
        size_t n;
        const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);

        if (!s || cl->out_len + n + 1 > HR_CONTROL_OUT_MAX) {
                c->n_dropped++;
                log_info("Control: client pid %d uid %u does not read its replies; dropped", (int) cl->pid,
                         (unsigned) cl->uid);
                client_close(c, cl);
                return false;
        }
        memcpy(cl->out + cl->out_len, s, n);
        cl->out[cl->out_len + n] = '\n';
        cl->out_len += n + 1;
        return true;
}

static const char *errno_code(int r) {
        switch (r) {
        case -EPERM:
        case -EACCES:
                return "EPERM";
        case -ENOENT:
        case -ESRCH:
                return "ENOENT";
        case -EBUSY:
        case -EAGAIN:
                return "EBUSY";
        case -E2BIG:
                return "E2BIG";
        case -EINVAL:
                return "EINVAL";
        default:
                return "EIO";
        }
}

static json_object *error_reply(const char *cmd, json_object *id, int r, const char *err) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "ok", json_object_new_boolean(false));
        if (cmd)
                json_object_object_add(o, "cmd", json_object_new_string(cmd));
        if (id)
                json_object_object_add(o, "id", json_object_get(id));
        json_object_object_add(o, "code", json_object_new_string(errno_code(r)));
        json_object_object_add(o, "error", json_object_new_string(err));
        return o;
}

bool hr_control_handle_line(HrControl *c, HrControlClient *cl, const char *line, size_t len) {
        char err[512] = "";
        json_object *req = NULL, *resp, *v, *id = NULL;
        const char *cmd = NULL;
        int r = 0;

        c->n_requests++;
        json_tokener *tok = json_tokener_new();
        if (tok) {
                json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
                req = json_tokener_parse_ex(tok, line, (int) len);
                if (req && json_tokener_get_parse_end(tok) != len)
                        json_object_put(req), req = NULL; /* trailing bytes after the object */
                json_tokener_free(tok);
        }
        if (!req || !json_object_is_type(req, json_type_object)) {
                r = -EINVAL;
                (void) snprintf(err, sizeof err, "not a JSON object");
        } else {
                if (json_object_object_get_ex(req, "id", &id) &&
                    !json_object_is_type(id, json_type_string) && !json_object_is_type(id, json_type_int))
                        id = NULL;
                if (!json_object_object_get_ex(req, "cmd", &v) || !json_object_is_type(v, json_type_string)) {
                        r = -EINVAL;
                        (void) snprintf(err, sizeof err, "no \"cmd\" string");
                } else
                        cmd = json_object_get_string(v);
        }
        if (r == 0 && hr_control_privileged(cmd) && cl->uid != 0 && !(c->user_mode && cl->uid == c->owner)) {
                r = -EPERM;
                c->n_refused++;
                (void) snprintf(err, sizeof err, "%s changes the daemon's state: it needs root%s", cmd,
                                c->user_mode ? " or the daemon's own user" : "");
        }

        if (r == 0) {
                resp = json_object_new_object();
                json_object_object_add(resp, "ok", json_object_new_boolean(true));
                json_object_object_add(resp, "cmd", json_object_new_string(cmd));
                if (id)
                        json_object_object_add(resp, "id", json_object_get(id));
                if (strcmp(cmd, "events") == 0) {
                        if (!cl->subscribed)
                                c->n_subscribers++;
                        cl->subscribed = true;
                        json_object_object_add(resp, "subscribed", json_object_new_boolean(true));
                } else
                        r = c->handler ? c->handler(c->userdata, cl, cmd, req, resp, err, sizeof err) : -EINVAL;
                if (r < 0) {
                        if (!err[0])
                                (void) snprintf(err, sizeof err, "%s failed: %s", cmd, strerror(-r));
                        /* What the handler added (a reload's "errors") goes with the error reply. */
                        json_object *e = error_reply(cmd, id, r, err);
                        json_object_object_foreach(resp, key, val)
                                if (strcmp(key, "ok") != 0 && strcmp(key, "cmd") != 0 && strcmp(key, "id") != 0)
                                        json_object_object_add(e, key, json_object_get(val));
                        json_object_put(resp);
                        resp = e;
                        c->n_errors++;
                }
        } else {
                c->n_errors++;
                resp = error_reply(cmd, id, r, err);
        }
        bool alive = client_queue(c, cl, resp);
        json_object_put(resp);
        json_object_put(req);
        return alive;
}

static int on_client(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrControl *c = userdata;
        HrControlClient *cl = NULL;
        (void) l;

        for (unsigned i = 0; i < HR_CONTROL_CLIENTS_MAX && !cl; i++)
                if (c->clients[i].fd == fd)
                        cl = &c->clients[i];
        if (!cl)
                return 0;
        if (revents & EPOLLOUT && !client_flush(c, cl))
                return 0;
        if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) || cl->closing)
                return 0;

        /* Bounded work per wake-up: a flooding client cannot hold the loop. */
        for (unsigned rounds = 0; rounds < 16; rounds++) {
                ssize_t k = recv(fd, cl->in + cl->in_len, HR_CONTROL_LINE_MAX + 1 - cl->in_len, MSG_DONTWAIT);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        break;
                if (k <= 0) {
                        client_close(c, cl);
                        return 0;
                }
                cl->in_len += (size_t) k;
                char *start = cl->in, *nl;
                while ((nl = memchr(start, '\n', cl->in_len - (size_t) (start - cl->in)))) {
                        if (!hr_control_handle_line(c, cl, start, (size_t) (nl - start)))
                                return 0;
                        start = nl + 1;
                }
                cl->in_len -= (size_t) (start - cl->in);
                memmove(cl->in, start, cl->in_len);
                if (cl->in_len > HR_CONTROL_LINE_MAX) {
                        json_object *e = error_reply(NULL, NULL, -E2BIG, "request line longer than 4096 bytes");
                        c->n_errors++;
                        bool alive = client_queue(c, cl, e);
                        json_object_put(e);
                        if (!alive)
                                return 0;
                        cl->closing = true;
                        break;
                }
        }
        (void) client_flush(c, cl);
        return 0;
}

static int on_listen(HrLoop *l, int fd, uint32_t revents, void *userdata) {
        HrControl *c = userdata;
        (void) revents;

        for (unsigned n = 0; n < HR_CONTROL_CLIENTS_MAX; n++) {
                int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0)
                        return 0; /* EAGAIN, or a client that went away already */
                HrControlClient *cl = NULL;
                for (unsigned i = 0; i < HR_CONTROL_CLIENTS_MAX && !cl; i++)
                        if (c->clients[i].fd < 0)
                                cl = &c->clients[i];
                struct ucred cred;
                socklen_t len = sizeof cred;
                char *out = cl ? malloc(HR_CONTROL_OUT_MAX) : NULL, *in = cl ? malloc(HR_CONTROL_LINE_MAX + 1) : NULL;
                if (!cl || !out || !in || getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
                    hr_loop_add_fd(l, cfd, EPOLLIN, on_client, c) < 0) {
                        static const char busy[] =
                                "{\"ok\":false,\"code\":\"EBUSY\",\"error\":\"too many clients, try again\"}\n";
                        (void) !send(cfd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
                        free(in);
                        free(out);
                        (void) close(cfd);
                        c->n_dropped++;
                        continue;
                }
                *cl = (HrControlClient) { .fd = cfd, .uid = cred.uid, .pid = cred.pid, .in = in, .out = out };
                c->n_clients++;
        }
        return 0;
}

/* ---- the socket ---- */

int hr_control_open(HrControl *c, HrLoop *loop, const char *path, bool user_mode, hr_control_handler handler,
                    void *userdata) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, r;

        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path) + 1);

        /* A socket file already there: a live daemon answers (refuse), a stale one does not (replace). */
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        r = connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0 ? -EADDRINUSE : 0;
        if (r == 0 && errno == ECONNREFUSED)
                (void) unlink(path);
        (void) close(fd);
        if (r < 0)
                return r;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        mode_t old = umask(user_mode ? 0177 : 0111);
        r = bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 ? -errno : 0;
        (void) umask(old);
        if (r == 0 && chmod(path, user_mode ? 0600 : 0666) < 0)
                r = -errno;
        if (r == 0 && listen(fd, 64) < 0)
                r = -errno;
        if (r == 0)
                r = hr_loop_add_fd(loop, fd, EPOLLIN, on_listen, c);
        if (r < 0) {
                (void) close(fd);
                return r;
        }
        c->listen_fd = fd;
        c->loop = loop;
        c->user_mode = user_mode;
        c->owner = geteuid();
        c->handler = handler;
        c->userdata = userdata;
        (void) snprintf(c->path, sizeof c->path, "%s", path);
        return 0;
}

void hr_control_broadcast(HrControl *c, json_object *event) {
        if (c->n_subscribers == 0)
                return;
        c->n_events++;
        for (unsigned i = 0; i < HR_CONTROL_CLIENTS_MAX; i++) {
                HrControlClient *cl = &c->clients[i];
                if (cl->fd >= 0 && cl->subscribed && client_queue(c, cl, event))
                        (void) client_flush(c, cl);
        }
}

void hr_control_close(HrControl *c) {
        for (unsigned i = 0; i < HR_CONTROL_CLIENTS_MAX; i++)
                client_close(c, &c->clients[i]);
        if (c->listen_fd >= 0) {
                if (c->loop)
                        (void) hr_loop_remove_fd(c->loop, c->listen_fd);
                c->listen_fd = hr_close(c->listen_fd);
                (void) unlink(c->path);
        }
}
