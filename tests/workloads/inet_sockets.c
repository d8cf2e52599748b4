/* inet_sockets: a parent and its child talking over loopback TCP and UDP,
 * with data left unread across every step, for the TCP/UDP socket test
 * (tests/engine/inet_sockets.sh).
 *
 * usage: inet_sockets [STEPS [SLEEP_MS]]
 *
 * The parent listens on 127.0.0.1 port 0 (and on ::1 when the machine has
 * IPv6 loopback; without it the second connection goes to 127.0.0.1 too, and
 * the parent says so in its first line), and binds a UDP socket; the child
 * binds a UDP socket connected to the parent's, and makes connection A to the
 * IPv4 listener (TCP_NODELAY set) and connection B to the second one. At
 * step s the parent sends frame E(s) on B, frame P(s) on A and datagram D(s)
 * to the child, prints its step line, sleeps, then reads the child's reply
 * frame R(s) on A and datagram U(s): R(s) and U(s) wait in the parent's
 * queues while it sleeps. The child reads P(s), D(s) and E(s-1), so one
 * frame always waits in its queue of B. Before every read each side checks
 * that its sockets have the addresses they had at the start, that the bytes
 * or datagram waiting are exactly what it expects (FIONREAD) and TCP_NODELAY,
 * and dies with a message on any difference; replies carry a hash of what the
 * child received, which the parent checks. At the end the child makes a
 * third connection to the IPv4 listener (it must still listen at its port),
 * and the parent prints the checks made and a result line; the output
 * depends only on the arguments.
 */
#include "tree_common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define FRAME_MAX 512

struct sock_names {
    int fd;
    struct sockaddr_storage local, peer;
    socklen_t local_len, peer_len;
    int no_delay;
    const char *what;
};

static long checks;

/* The deterministic payload of channel ch at step s. */
static size_t payload(int ch, long s, char *buf)
{
    size_t len = (size_t)((s * 53 + ch * 71) % 200);
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)('a' + (s * 5 + (long)i * 7 + ch) % 26);
    return len;
}

static void remember(struct sock_names *n, int fd, const char *what)
{
    n->fd = fd;
    n->what = what;
    n->local_len = sizeof n->local;
    n->peer_len = sizeof n->peer;
    if (getsockname(fd, (struct sockaddr *)&n->local, &n->local_len) != 0)
        tc_die("%s: getsockname: %s", what, strerror(errno));
    if (getpeername(fd, (struct sockaddr *)&n->peer, &n->peer_len) != 0)
        n->peer_len = 0;
    socklen_t size = sizeof n->no_delay;
    int type = 0;
    socklen_t tsize = sizeof type;
    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tsize);
    n->no_delay = -1;
    if (type == SOCK_STREAM && getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &n->no_delay, &size) != 0)
        tc_die("%s: TCP_NODELAY: %s", what, strerror(errno));
}

/* Dies unless the socket still has the addresses and option it had. */
static void check_same(const struct sock_names *n)
{
    struct sock_names now;
    remember(&now, n->fd, n->what);
    if (now.local_len != n->local_len || memcmp(&now.local, &n->local, n->local_len) != 0)
        tc_die("%s: its own address changed", n->what);
    if (now.peer_len != n->peer_len || memcmp(&now.peer, &n->peer, n->peer_len) != 0)
        tc_die("%s: its peer's address changed", n->what);
    if (now.no_delay != n->no_delay)
        tc_die("%s: TCP_NODELAY is %d, was %d", n->what, now.no_delay, n->no_delay);
    checks++;
}

/* Waits for data, then dies unless exactly `want` bytes (a stream) or a
 * datagram of `want` bytes wait. */
static void expect_queued(int fd, int want, const char *what)
{
    struct pollfd p = { fd, POLLIN, 0 };
    int64_t deadline = tc_now_ms() + 30000;
    int queued = 0;
    for (;;) {
        int r = poll(&p, 1, 100);
        if (r < 0 && errno != EINTR)
            tc_die("%s: poll: %s", what, strerror(errno));
        if (ioctl(fd, FIONREAD, &queued) != 0)
            tc_die("%s: FIONREAD: %s", what, strerror(errno));
        if (r > 0 && queued >= want)
            break;
        if (tc_now_ms() > deadline)
            tc_die("%s: %d bytes after 30 s, want %d", what, queued, want);
    }
    if (queued != want)
        tc_die("%s: %d bytes wait, want exactly %d", what, queued, want);
    checks++;
}

/* Reads the frame of channel ch, step s, and dies unless it is that; `after`
 * bytes must wait behind it. */
static uint64_t read_expected(int fd, int ch, long s, size_t after, const char *what, uint64_t h)
{
    char want[FRAME_MAX], got[FRAME_MAX];
    size_t len = payload(ch, s, want);
    expect_queued(fd, (int)(4 + len + after), what);
    uint32_t n = tc_read_frame(fd, got, FRAME_MAX, what);
    if (n != len || memcmp(got, want, len) != 0)
        tc_die("%s: step %ld: frame of %u bytes differs from the %zu sent", what, s, n, len);
    return tc_fnv(got, n, h);
}

static ssize_t recv_datagram(int fd, char *buf, size_t room, const char *what)
{
    ssize_t n;
    while ((n = recv(fd, buf, room, 0)) < 0 && errno == EINTR) {
    }
    if (n < 0)
        tc_die("%s: recv: %s", what, strerror(errno));
    return n;
}

static int tcp_listener(int family)
{
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_storage a = { 0 };
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&a;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_loopback;
        len = sizeof *in6;
    }
    if (bind(fd, (struct sockaddr *)&a, len) != 0 || listen(fd, 8) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

struct address {
    struct sockaddr_storage a;
    socklen_t len;
};

static struct address address_of(int listener)
{
    struct address a;
    a.len = sizeof a.a;
    if (getsockname(listener, (struct sockaddr *)&a.a, &a.len) != 0)
        tc_die("getsockname: %s", strerror(errno));
    return a;
}

static int connect_to(const struct address *a)
{
    int fd = socket(a->a.ss_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (const struct sockaddr *)&a->a, a->len) != 0)
        tc_die("connect: %s", strerror(errno));
    return fd;
}

static int accept_one(int listener)
{
    int fd;
    while ((fd = accept(listener, NULL, NULL)) < 0 && errno == EINTR) {
    }
    if (fd < 0)
        tc_die("accept: %s", strerror(errno));
    return fd;
}

static int udp_socket(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
        tc_die("udp: %s", strerror(errno));
    return fd;
}

static void child(int l4, int second, int up, int uc, long n)
{
    tc_prog = "inet_sockets child";
    struct address first = address_of(l4), other = address_of(second);
    int a = connect_to(&first), b = connect_to(&other);
    int one = 1;
    setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_storage pa;
    socklen_t pa_len = sizeof pa;
    getsockname(up, (struct sockaddr *)&pa, &pa_len);
    if (connect(uc, (struct sockaddr *)&pa, pa_len) != 0)
        tc_die("udp connect: %s", strerror(errno));
    close(l4);
    close(second);
    close(up);
    struct sock_names names[3];
    remember(&names[0], a, "child: connection A");
    remember(&names[1], b, "child: connection B");
    remember(&names[2], uc, "child: UDP socket");
    for (long s = 1; s <= n; s++) {
        for (int i = 0; i < 3; i++)
            check_same(&names[i]);
        uint64_t h = read_expected(a, 1, s, 0, "child: connection A", 0);
        char want[FRAME_MAX], got[FRAME_MAX];
        size_t len = payload(3, s, want);
        expect_queued(uc, (int)len, "child: UDP socket");
        if ((size_t)recv_datagram(uc, got, sizeof got, "child: UDP socket") != len || memcmp(got, want, len) != 0)
            tc_die("child: UDP socket: step %ld: datagram differs", s);
        h = tc_fnv(got, len, h);
        if (s > 1)
            h = read_expected(b, 2, s - 1, 4 + payload(2, s, want), "child: connection B", h);
        /* E(s) waits in B's queue until the next step, whole. */
        expect_queued(b, (int)(4 + payload(2, s, want)), "child: connection B (frame left for the next step)");
        char reply[FRAME_MAX];
        len = payload(4, s, reply);
        memcpy(reply, &h, sizeof h < len ? sizeof h : len);
        tc_send_frame(a, reply, (uint32_t)len);
        tc_write_all(uc, &h, sizeof h);
    }
    read_expected(b, 2, n, 0, "child: connection B", 0);
    int c = connect_to(&first);
    tc_write_all(c, "bye", 3);
    close(c);
    exit(0);
}

/* One step of the parent: returns the hash the child's reply carried. */
static uint64_t parent_step(int a, int b, int up, const struct sockaddr_storage *child_udp, socklen_t child_len,
                            long s, long sleep_ms)
{
    char buf[FRAME_MAX];
    size_t len_b = payload(2, s, buf);
    tc_send_frame(b, buf, (uint32_t)len_b);
    size_t len_a = payload(1, s, buf);
    tc_send_frame(a, buf, (uint32_t)len_a);
    size_t len_d = payload(3, s, buf);
    if (sendto(up, buf, len_d, 0, (const struct sockaddr *)child_udp, child_len) != (ssize_t)len_d)
        tc_die("parent: sendto: %s", strerror(errno));
    printf("step %ld: sent %zu bytes on A, %zu on B, a datagram of %zu\n", s, len_a, len_b, len_d);
    tc_sleep_ms(sleep_ms);
    /* What the child received, as it must have hashed it. */
    char sent[FRAME_MAX];
    uint64_t h = tc_fnv(sent, payload(1, s, sent), 0);
    h = tc_fnv(sent, payload(3, s, sent), h);
    if (s > 1)
        h = tc_fnv(sent, payload(2, s - 1, sent), h);
    char want[FRAME_MAX], got[FRAME_MAX];
    size_t len = payload(4, s, want);
    memcpy(want, &h, sizeof h < len ? sizeof h : len);
    expect_queued(a, (int)(4 + len), "parent: connection A");
    if (tc_read_frame(a, got, FRAME_MAX, "parent: connection A") != len || memcmp(got, want, len) != 0)
        tc_die("parent: connection A: step %ld: the reply differs", s);
    uint64_t echoed = 0;
    expect_queued(up, sizeof echoed, "parent: UDP socket");
    if (recv_datagram(up, (char *)&echoed, sizeof echoed, "parent: UDP socket") != sizeof echoed || echoed != h)
        tc_die("parent: UDP socket: step %ld: the child's hash differs", s);
    return h;
}

int main(int argc, char **argv)
{
    tc_prog = "inet_sockets";
    long n = tc_arg(argc, argv, 1, 60, 2, 250);
    long sleep_ms = tc_arg(argc, argv, 2, 50, 0, 60000);
    setvbuf(stdout, NULL, _IOLBF, 0);
    int l4 = tcp_listener(AF_INET);
    if (l4 < 0)
        tc_die("listen on 127.0.0.1: %s", strerror(errno));
    int l6 = tcp_listener(AF_INET6);
    printf("start: second connection over %s\n", l6 >= 0 ? "IPv6 (::1)" : "IPv4 (no IPv6 loopback here)");
    int second = l6 >= 0 ? l6 : l4;
    int up = udp_socket(), uc = udp_socket();
    struct sockaddr_storage child_udp;
    socklen_t child_len = sizeof child_udp;
    getsockname(uc, (struct sockaddr *)&child_udp, &child_len);
    pid_t pid = fork();
    if (pid < 0)
        tc_die("fork: %s", strerror(errno));
    if (pid == 0)
        child(l4, second, up, uc, n);
    close(uc);
    int a = accept_one(l4), b = accept_one(second);
    struct sock_names names[5];
    remember(&names[0], a, "parent: connection A");
    remember(&names[1], b, "parent: connection B");
    remember(&names[2], up, "parent: UDP socket");
    remember(&names[3], l4, "parent: IPv4 listener");
    remember(&names[4], second, "parent: second listener");
    uint64_t acc = 0;
    for (long s = 1; s <= n; s++) {
        for (int i = 0; i < 5; i++)
            check_same(&names[i]);
        acc = tc_fnv(&acc, sizeof acc, parent_step(a, b, up, &child_udp, child_len, s, sleep_ms));
    }
    int c = accept_one(l4);
    char bye[4] = { 0 };
    tc_read_all(c, bye, 3, "parent: last connection");
    if (strcmp(bye, "bye") != 0)
        tc_die("parent: last connection: got '%s'", bye);
    int status = tc_wait(pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        tc_die("child %s", tc_status(status));
    printf("checks: addresses, queued bytes and TCP_NODELAY as expected at every step; last connection said %s\n",
           bye);
    printf("result acc=%016" PRIx64 " steps=%ld\n", acc, n);
    return 0;
}
