/* unix_sockets: a process tree talking over Unix sockets of every kind,
 * with data left unread in every queue at every step, for the Unix socket
 * tests (tests/engine/unix_sockets.sh).
 *
 * usage: unix_sockets WORKDIR [STEPS [SLEEP_MS]]
 *
 * The root (the "parent") forks three children and drives them one step at
 * a time with a byte on a pipe ("go s"); each child answers step s-1's data
 * at step s, so every queue holds data sent but not read yet between steps:
 *   A: a stream socketpair (length-prefixed frames both ways; its end has
 *      SO_SNDBUF and SO_RCVBUF set), a seqpacket socketpair (two records a
 *      step, one of them sometimes empty; its end peeks with SO_PEEK_OFF
 *      before it reads), and a second stream pair the parent has written a
 *      farewell on and shut down for writing (SHUT_WR) at the start.
 *   B: a datagram socketpair (its end has SO_PASSCRED: each datagram must
 *      come with the user's credentials) and a datagram socket bound to an
 *      abstract name, sent to from the parent's datagram socket bound to a
 *      path; B answers to the address each datagram came from.
 *   C: a listening socket bound to WORKDIR/server (non-blocking, backlog 4):
 *      the parent's first connection is accepted at once and carries frames
 *      both ways; its second one waits in the backlog, without data, until
 *      the last step, when C accepts it and they exchange a line.
 * The parent also keeps a stream and a datagram socketpair whose other ends
 * it closed at the start, after sending on them: at the end it reads what
 * was left, then end of file (stream) or ECONNREFUSED (datagram, sending).
 * Every reply carries a hash of what the child received, which the parent
 * checks; each side checks lengths, contents, record boundaries, addresses,
 * credentials and options after every read, and dies with a message on any
 * difference. The parent prints one line per step and a result line; the
 * output depends only on the arguments.
 */
#include "tree_common.h"

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#define FRAME_MAX 4096

/* The deterministic payload of channel `ch` at step s: its length and bytes. */
static size_t payload(int ch, long s, char *buf)
{
    size_t len = (size_t)((s * 37 + ch * 101) % 300);
    if (ch == 3 && s % 4 == 0)
        len = 0; /* an empty seqpacket record now and then */
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)('a' + (s * 7 + (long)i * 3 + ch) % 26);
    return len;
}

/* One whole message (record or datagram); dies unless it is exactly `want`
 * bytes long. Returns recvmsg's flags. */
static int recv_message(int fd, char *buf, size_t want, int flags, struct msghdr *extra, const char *what)
{
    struct iovec io = { buf, FRAME_MAX };
    struct msghdr m;
    if (extra != NULL)
        m = *extra;
    else
        memset(&m, 0, sizeof m);
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    ssize_t n;
    while ((n = recvmsg(fd, &m, flags)) < 0 && errno == EINTR) {
    }
    if (n < 0)
        tc_die("%s: recvmsg: %s", what, strerror(errno));
    if ((size_t)n != want || (m.msg_flags & MSG_TRUNC))
        tc_die("%s: a message of %zd bytes, expected %zu", what, n, want);
    if (extra != NULL)
        *extra = m;
    return m.msg_flags;
}

static void send_message(int fd, const void *data, size_t len, const struct sockaddr_un *to, socklen_t tolen,
                         const char *what)
{
    ssize_t n;
    while ((n = sendto(fd, data, len, MSG_NOSIGNAL, (const struct sockaddr *)to, to != NULL ? tolen : 0)) < 0 &&
           errno == EINTR) {
    }
    if (n != (ssize_t)len)
        tc_die("%s: send: %s", what, n < 0 ? strerror(errno) : "short");
}

static void expect_payload(int ch, long s, const char *got, size_t len, const char *what)
{
    char want[FRAME_MAX];
    size_t wlen = payload(ch, s, want);
    if (len != wlen || memcmp(got, want, len) != 0)
        tc_die("%s: step %ld: wrong data (%zu bytes, expected %zu)", what, s, len, wlen);
}

static int int_option(int fd, int name)
{
    int v = 0;
    socklen_t l = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, name, &v, &l) != 0)
        tc_die("getsockopt %d: %s", name, strerror(errno));
    return v;
}

static socklen_t address(struct sockaddr_un *a, const char *name, size_t len)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path, name, len);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
}

/* What the parent's "go" bytes say beyond a step number (1..250). */
#define GO_FINISH 255 /* the farewell, the waiting connection */
#define GO_QUIT 254

/* The next "go" byte. (Children inherit each other's pipes, so they are
 * told to quit rather than shown an end of file.) */
static long next_go(int go)
{
    unsigned char b;
    ssize_t n;
    while ((n = read(go, &b, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1)
        tc_die("read go: %s", n < 0 ? strerror(errno) : "end of file");
    return b;
}

struct child_a {
    int stream, seq, farewell, sndbuf, rcvbuf;
};

static void a_step(const struct child_a *a, long s)
{
    char buf[FRAME_MAX], peeked[FRAME_MAX];
    if (int_option(a->stream, SO_SNDBUF) != a->sndbuf || int_option(a->stream, SO_RCVBUF) != a->rcvbuf)
        tc_die("A: the stream socket's buffer sizes changed");
    if (int_option(a->seq, SO_PEEK_OFF) != 0)
        tc_die("A: SO_PEEK_OFF is %d, not 0", int_option(a->seq, SO_PEEK_OFF));
    uint32_t len = tc_read_frame(a->stream, buf, FRAME_MAX, "A stream");
    expect_payload(1, s, buf, len, "A stream");
    uint64_t h = tc_fnv(buf, len, 0xcbf29ce484222325ULL);

    /* Peek the first record (SO_PEEK_OFF moves past it), then read both. */
    char want[FRAME_MAX];
    size_t wlen = payload(3, s, want);
    recv_message(a->seq, peeked, wlen, MSG_PEEK, NULL, "A seqpacket peek");
    recv_message(a->seq, buf, wlen, 0, NULL, "A seqpacket record 1");
    if (memcmp(peeked, buf, wlen) != 0)
        tc_die("A: peeked record differs from the record read");
    expect_payload(3, s, buf, wlen, "A seqpacket record 1");
    char tag[32];
    int tlen = snprintf(tag, sizeof tag, "tag %ld", s);
    recv_message(a->seq, buf, (size_t)tlen, 0, NULL, "A seqpacket record 2");
    if (memcmp(buf, tag, (size_t)tlen) != 0)
        tc_die("A: record 2 of step %ld is not '%s'", s, tag);
    h = tc_fnv(buf, (size_t)tlen, tc_fnv(want, wlen, h));

    char reply[64];
    int rlen = snprintf(reply, sizeof reply, "A%ld:%016" PRIx64, s, h);
    tc_send_frame(a->stream, reply, (uint32_t)rlen);
    send_message(a->seq, reply, (size_t)rlen, NULL, 0, "A seqpacket reply");
}

/* The farewell, then end of file; the other direction still open. */
static void a_farewell(const struct child_a *a)
{
    char buf[64] = { 0 };
    tc_read_all(a->farewell, buf, 8, "A farewell");
    if (memcmp(buf, "farewell", 8) != 0)
        tc_die("A: farewell is '%.8s'", buf);
    ssize_t n;
    while ((n = read(a->farewell, buf, sizeof buf)) < 0 && errno == EINTR) {
    }
    if (n != 0)
        tc_die("A: no end of file after the farewell (%zd)", n);
    tc_write_all(a->farewell, "ack", 3);
}

static int child_a(int go, struct child_a a)
{
    long s;
    while ((s = next_go(go)) != GO_QUIT) {
        if (s == GO_FINISH)
            a_farewell(&a);
        else if (s >= 2)
            a_step(&a, s - 1);
    }
    return 0;
}

struct child_b {
    int dgram, named;
    const char *peer_path;
};

static void b_step(const struct child_b *b, long s)
{
    char buf[FRAME_MAX], want[FRAME_MAX];
    size_t wlen = payload(2, s, want);
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(struct ucred))];
    } control;
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_control = &control;
    m.msg_controllen = sizeof control;
    recv_message(b->dgram, buf, wlen, 0, &m, "B datagram");
    expect_payload(2, s, buf, wlen, "B datagram");
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (c == NULL || c->cmsg_type != SCM_CREDENTIALS)
        tc_die("B: datagram of step %ld came without credentials (SO_PASSCRED)", s);
    struct ucred cred;
    memcpy(&cred, CMSG_DATA(c), sizeof cred);
    if (cred.uid != getuid())
        tc_die("B: datagram of step %ld from uid %u", s, (unsigned)cred.uid);
    uint64_t h = tc_fnv(buf, wlen, 0xcbf29ce484222325ULL);
    char reply[64];
    int rlen = snprintf(reply, sizeof reply, "B%ld:%016" PRIx64, s, h);
    send_message(b->dgram, reply, (size_t)rlen, NULL, 0, "B datagram reply");

    struct sockaddr_un from;
    memset(&m, 0, sizeof m);
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    wlen = payload(4, s, want);
    recv_message(b->named, buf, wlen, 0, &m, "B abstract");
    expect_payload(4, s, buf, wlen, "B abstract");
    if (m.msg_namelen <= offsetof(struct sockaddr_un, sun_path) || strcmp(from.sun_path, b->peer_path) != 0)
        tc_die("B: datagram of step %ld did not come from %s", s, b->peer_path);
    h = tc_fnv(buf, wlen, h);
    rlen = snprintf(reply, sizeof reply, "b%ld:%016" PRIx64, s, h);
    send_message(b->named, reply, (size_t)rlen, &from, m.msg_namelen, "B abstract reply");
}

static int child_b(int go, struct child_b b)
{
    long s;
    while ((s = next_go(go)) != GO_QUIT) {
        if (s >= 2 && s != GO_FINISH)
            b_step(&b, s - 1);
    }
    return 0;
}

static int accept_now(int listener, const char *what)
{
    int fd;
    while ((fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC)) < 0 && errno == EINTR) {
    }
    if (fd < 0)
        tc_die("C: accept %s: %s", what, strerror(errno));
    return fd;
}

static void expect_name(int fd, const char *path, const char *what)
{
    struct sockaddr_un a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0 || strcmp(a.sun_path, path) != 0)
        tc_die("%s: its name is not %s", what, path);
}

static int child_c(int go, int listener, const char *path)
{
    int conn = -1;
    long s;
    char buf[FRAME_MAX];
    while ((s = next_go(go)) != GO_QUIT) {
        if (s == 1) {
            conn = accept_now(listener, "the first connection");
            tc_write_all(conn, "accepted", 8);
        } else if (s == GO_FINISH) {
            /* The connection that waited in the backlog, and no other. */
            int late = accept_now(listener, "the waiting connection");
            if (accept4(listener, NULL, NULL, SOCK_CLOEXEC) >= 0 || errno != EAGAIN)
                tc_die("C: a third connection, or the listener is blocking (%s)", strerror(errno));
            expect_name(late, path, "C: the waiting connection");
            tc_write_all(late, "welcome", 7);
            tc_read_all(late, buf, 3, "C late");
            if (memcmp(buf, "bye", 3) != 0)
                tc_die("C: the waiting connection said '%.3s'", buf);
            close(late);
        } else {
            expect_name(conn, path, "C: the accepted connection");
            uint32_t len = tc_read_frame(conn, buf, FRAME_MAX, "C conn");
            expect_payload(5, s - 1, buf, len, "C conn");
            char reply[64];
            int rlen = snprintf(reply, sizeof reply, "C%ld:%016" PRIx64, s - 1,
                                tc_fnv(buf, len, 0xcbf29ce484222325ULL));
            tc_send_frame(conn, reply, (uint32_t)rlen);
        }
    }
    return 0;
}

static pid_t spawn(int *go_out, int (*body)(int, void *), void *arg)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        tc_die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        tc_die("fork: %s", strerror(errno));
    if (pid == 0) {
        close(p[1]);
        _exit(body(p[0], arg));
    }
    close(p[0]);
    *go_out = p[1];
    return pid;
}

static struct child_a g_a;
static struct child_b g_b;
static int g_listener;
static const char *g_server_path;
static int run_a(int go, void *unused) { (void)unused; return child_a(go, g_a); }
static int run_b(int go, void *unused) { (void)unused; return child_b(go, g_b); }
static int run_c(int go, void *unused) { (void)unused; return child_c(go, g_listener, g_server_path); }

static void send_go(int fd, long s)
{
    unsigned char b = (unsigned char)s;
    tc_write_all(fd, &b, 1);
}

static void pair(int type, int sv[2])
{
    if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) != 0)
        tc_die("socketpair: %s", strerror(errno));
}

static int bound_socket(int type, const char *name, size_t len)
{
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    struct sockaddr_un a;
    socklen_t alen = address(&a, name, len);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, alen) != 0)
        tc_die("bind %s: %s", name[0] ? name : name + 1, strerror(errno));
    return fd;
}

static int connect_to(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a;
    socklen_t alen = address(&a, path, strlen(path));
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, alen) != 0)
        tc_die("connect %s: %s", path, strerror(errno));
    return fd;
}

/* The parent's ends of everything; orphan and orphan_dgram lost their
 * peers at the start, with data left for the parent. */
struct parent {
    int stream, seq, farewell, dgram, named, conn, late, orphan, orphan_dgram;
    struct sockaddr_un abstract;
    socklen_t abstract_len;
    char abstract_name[108];
    size_t abstract_name_len;
};

static void parent_send(struct parent *p, long s)
{
    char buf[FRAME_MAX];
    size_t len = payload(1, s, buf);
    tc_send_frame(p->stream, buf, (uint32_t)len);
    len = payload(3, s, buf);
    send_message(p->seq, buf, len, NULL, 0, "seqpacket record 1");
    char tag[32];
    int tlen = snprintf(tag, sizeof tag, "tag %ld", s);
    send_message(p->seq, tag, (size_t)tlen, NULL, 0, "seqpacket record 2");
    len = payload(2, s, buf);
    send_message(p->dgram, buf, len, NULL, 0, "datagram");
    len = payload(4, s, buf);
    send_message(p->named, buf, len, &p->abstract, p->abstract_len, "abstract datagram");
    len = payload(5, s, buf);
    tc_send_frame(p->conn, buf, (uint32_t)len);
}

/* The replies to step s; returns their hash. */
static uint64_t parent_receive(struct parent *p, long s)
{
    char buf[FRAME_MAX], want[FRAME_MAX];
    uint64_t h = 0xcbf29ce484222325ULL;
    uint32_t len = tc_read_frame(p->stream, buf, FRAME_MAX, "stream reply");
    h = tc_fnv(buf, len, h);
    int wlen = snprintf(want, sizeof want, "A%ld:", s);
    if (len < (uint32_t)wlen || memcmp(buf, want, (size_t)wlen) != 0)
        tc_die("stream reply of step %ld is '%.*s'", s, (int)len, buf);
    char copy[64];
    memcpy(copy, buf, len);
    recv_message(p->seq, buf, len, 0, NULL, "seqpacket reply");
    if (memcmp(copy, buf, len) != 0)
        tc_die("the seqpacket reply of step %ld differs from the stream reply", s);

    ssize_t n;
    while ((n = recv(p->dgram, buf, sizeof buf, 0)) < 0 && errno == EINTR) {
    }
    wlen = snprintf(want, sizeof want, "B%ld:", s);
    if (n < wlen || memcmp(buf, want, (size_t)wlen) != 0)
        tc_die("datagram reply of step %ld is '%.*s'", s, (int)(n < 0 ? 0 : n), buf);
    h = tc_fnv(buf, (size_t)n, h);

    struct sockaddr_un from;
    socklen_t flen = sizeof from;
    while ((n = recvfrom(p->named, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen)) < 0 && errno == EINTR) {
    }
    if (flen != p->abstract_len || memcmp(from.sun_path, p->abstract_name, p->abstract_name_len) != 0)
        tc_die("the abstract reply of step %ld came from another address", s);
    wlen = snprintf(want, sizeof want, "b%ld:", s);
    if (n < wlen || memcmp(buf, want, (size_t)wlen) != 0)
        tc_die("abstract reply of step %ld is '%.*s'", s, (int)(n < 0 ? 0 : n), buf);
    h = tc_fnv(buf, (size_t)n, h);

    len = tc_read_frame(p->conn, buf, FRAME_MAX, "connection reply");
    wlen = snprintf(want, sizeof want, "C%ld:", s);
    if (len < (uint32_t)wlen || memcmp(buf, want, (size_t)wlen) != 0)
        tc_die("connection reply of step %ld is '%.*s'", s, (int)len, buf);
    return tc_fnv(buf, len, h);
}

static void parent_finish(struct parent *p, uint64_t *acc)
{
    char buf[16] = { 0 };
    tc_read_all(p->late, buf, 7, "welcome");
    if (memcmp(buf, "welcome", 7) != 0)
        tc_die("the waiting connection was greeted with '%.7s'", buf);
    tc_write_all(p->late, "bye", 3);
    struct sockaddr_un a;
    socklen_t len = sizeof a;
    if (getpeername(p->conn, (struct sockaddr *)&a, &len) != 0 || strcmp(a.sun_path, g_server_path) != 0)
        tc_die("the first connection's peer is not %s", g_server_path);
    tc_read_all(p->farewell, buf, 3, "ack");
    if (memcmp(buf, "ack", 3) != 0)
        tc_die("the farewell was acknowledged with '%.3s'", buf);
    ssize_t n = send(p->farewell, "x", 1, MSG_NOSIGNAL);
    printf("shutdown: farewell read then end of file; the other way open (ack); write after SHUT_WR: %s\n",
           n < 0 && errno == EPIPE ? "EPIPE" : "no error");
    printf("backlog: the waiting connection accepted last, greeted and answered\n");
    char left[32] = { 0 };
    tc_read_all(p->orphan, left, 13, "orphan");
    ssize_t eof = read(p->orphan, buf, sizeof buf);
    recv_message(p->orphan_dgram, left + 13, 5, 0, NULL, "orphan datagram");
    recv_message(p->orphan_dgram, left + 18, 0, 0, NULL, "empty orphan datagram");
    n = send(p->orphan_dgram, "x", 1, MSG_NOSIGNAL);
    printf("closed peers: '%.18s', then %s; sending to the closed datagram peer: %s\n", left,
           eof == 0 ? "end of file" : "no end of file", n < 0 && errno == ECONNREFUSED ? "ECONNREFUSED" : "no error");
    *acc = tc_fnv(buf, 3, *acc);
}

int main(int argc, char **argv)
{
    tc_prog = "unix_sockets";
    if (argc < 2)
        tc_die("usage: unix_sockets WORKDIR [STEPS [SLEEP_MS]]");
    long n = tc_arg(argc, argv, 2, 60, 3, 250);
    long sleep_ms = tc_arg(argc, argv, 3, 50, 0, 60000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (chdir(argv[1]) != 0)
        tc_die("chdir %s: %s", argv[1], strerror(errno));
    char cwd[100];
    if (getcwd(cwd, sizeof cwd) == NULL)
        tc_die("the work directory's path is too long for socket names");
    static char server_path[108], client_path[108];
    snprintf(server_path, sizeof server_path, "%s/server", cwd);
    snprintf(client_path, sizeof client_path, "%s/client", cwd);
    g_server_path = server_path;
    unlink(server_path);
    unlink(client_path);
    printf("unix_sockets start steps=%ld\n", n);

    struct parent p;
    int sv[2];
    pair(SOCK_STREAM, sv);
    p.stream = sv[0];
    g_a.stream = sv[1];
    pair(SOCK_SEQPACKET, sv);
    p.seq = sv[0];
    g_a.seq = sv[1];
    pair(SOCK_STREAM, sv);
    p.farewell = sv[0];
    g_a.farewell = sv[1];
    tc_write_all(p.farewell, "farewell", 8);
    if (shutdown(p.farewell, SHUT_WR) != 0)
        tc_die("shutdown: %s", strerror(errno));
    int size = 65536;
    setsockopt(g_a.stream, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    size = 32768;
    setsockopt(g_a.stream, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    g_a.sndbuf = int_option(g_a.stream, SO_SNDBUF);
    g_a.rcvbuf = int_option(g_a.stream, SO_RCVBUF);
    int zero = 0;
    setsockopt(g_a.seq, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof zero);

    pair(SOCK_STREAM, sv);
    p.orphan = sv[0];
    tc_write_all(sv[1], "orphaned data", 13);
    close(sv[1]);
    pair(SOCK_DGRAM, sv);
    p.orphan_dgram = sv[0];
    send_message(sv[1], "dgram", 5, NULL, 0, "orphan datagram");
    send_message(sv[1], "", 0, NULL, 0, "empty orphan datagram");
    close(sv[1]);

    pair(SOCK_DGRAM, sv);
    p.dgram = sv[0];
    g_b.dgram = sv[1];
    /* Before anything is sent: the kernel adds credentials to a datagram only
     * if its receiver asks for them when it is sent. */
    int on = 1;
    if (setsockopt(g_b.dgram, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0)
        tc_die("SO_PASSCRED: %s", strerror(errno));
    /* An abstract name of this work directory, so that runs side by side differ. */
    p.abstract_name[0] = '\0';
    int alen = snprintf(p.abstract_name + 1, sizeof p.abstract_name - 1, "stasis-test-%016" PRIx64,
                        tc_fnv(cwd, strlen(cwd), 0xcbf29ce484222325ULL));
    p.abstract_name_len = (size_t)alen + 1;
    g_b.named = bound_socket(SOCK_DGRAM, p.abstract_name, p.abstract_name_len);
    p.abstract_len = address(&p.abstract, p.abstract_name, p.abstract_name_len);
    p.named = bound_socket(SOCK_DGRAM, client_path, strlen(client_path));
    g_b.peer_path = client_path;

    g_listener = bound_socket(SOCK_STREAM, server_path, strlen(server_path));
    if (listen(g_listener, 4) != 0 || fcntl(g_listener, F_SETFL, O_NONBLOCK) != 0)
        tc_die("listen: %s", strerror(errno));
    p.conn = connect_to(server_path);
    p.late = connect_to(server_path);

    int go_a, go_b, go_c;
    pid_t a = spawn(&go_a, run_a, NULL);
    pid_t b = spawn(&go_b, run_b, NULL);
    pid_t c = spawn(&go_c, run_c, NULL);
    close(g_a.stream);
    close(g_a.seq);
    close(g_a.farewell);
    close(g_b.dgram);
    close(g_b.named);
    close(g_listener);

    send_go(go_c, 1);
    char buf[16] = { 0 };
    tc_read_all(p.conn, buf, 8, "accepted");
    if (memcmp(buf, "accepted", 8) != 0)
        tc_die("the first connection was greeted with '%.8s'", buf);

    uint64_t acc = 0xcbf29ce484222325ULL;
    for (long s = 1; s <= n; s++) {
        parent_send(&p, s);
        send_go(go_a, s);
        send_go(go_b, s);
        if (s >= 2)
            send_go(go_c, s);
        if (s >= 3) {
            uint64_t h = parent_receive(&p, s - 2);
            acc = tc_fnv(&h, sizeof h, acc);
            printf("step %ld replies %016" PRIx64 " acc=%016" PRIx64 "\n", s - 2, h, acc);
        }
        tc_sleep_ms(sleep_ms);
    }
    /* The last steps' data, then the farewell and the waiting connection. */
    send_go(go_a, n + 1);
    send_go(go_b, n + 1);
    send_go(go_c, n + 1);
    for (long s = n - 1; s <= n; s++) {
        uint64_t h = parent_receive(&p, s);
        acc = tc_fnv(&h, sizeof h, acc);
        printf("step %ld replies %016" PRIx64 " acc=%016" PRIx64 "\n", s, h, acc);
    }
    send_go(go_a, GO_FINISH);
    send_go(go_c, GO_FINISH);
    parent_finish(&p, &acc);
    send_go(go_a, GO_QUIT);
    send_go(go_b, GO_QUIT);
    send_go(go_c, GO_QUIT);
    printf("A %s\n", tc_status(tc_wait(a)));
    printf("B %s\n", tc_status(tc_wait(b)));
    printf("C %s\n", tc_status(tc_wait(c)));
    unlink(server_path);
    unlink(client_path);
    printf("result acc=%016" PRIx64 "\n", acc);
    return 0;
}
