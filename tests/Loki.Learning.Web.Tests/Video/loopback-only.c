/* Keeps a test Janus on 127.0.0.0/8 (docs/decisions/0009, "Test traffic and the loopback interface").
 *
 * Loaded into the Janus process with LD_PRELOAD (Video:LoopbackOnlyShim), only in tests and benchmarks:
 *  - getifaddrs(): the loopback interface loses its IFF_LOOPBACK flag. Janus 1.1 (src/ice.c, janus_ice_setup_local)
 *    skips every interface with that flag before it reads ice_enforce_list, so "lo" could never be enforced; with the
 *    flag gone, ice_enforce_list = "127.0.0.1" gives libnice 127.0.0.1 as its only address.
 *  - sendto(), sendmsg(), sendmmsg(): a datagram to an address outside 127.0.0.0/8 (or ::1) fails with EPERM, as a
 *    firewall rule would make it. A browser still offers its own other addresses and sends connectivity checks from
 *    them; Janus cannot answer those, so the only pair that can work is 127.x ↔ 127.0.0.1.
 *
 * Build: gcc -shared -fPIC -O2 -o libloopback-only.so loopback-only.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

static int is_loopback(const struct sockaddr *address)
{
    if (address == NULL) {
        /* A connected socket's own peer: nothing new to judge. */
        return 1;
    }
    if (address->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)address;
        return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    }
    if (address->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)address;
        if (IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) {
            return 1;
        }
        return IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr) && v6->sin6_addr.s6_addr[12] == 127;
    }
    /* Unix sockets and the like are not network traffic. */
    return 1;
}

int getifaddrs(struct ifaddrs **list)
{
    static int (*real)(struct ifaddrs **);
    if (real == NULL) {
        real = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
    }
    int result = real(list);
    if (result == 0) {
        for (struct ifaddrs *entry = *list; entry != NULL; entry = entry->ifa_next) {
            entry->ifa_flags &= ~IFF_LOOPBACK;
        }
    }
    return result;
}

ssize_t sendto(int socket, const void *buffer, size_t length, int flags, const struct sockaddr *to, socklen_t size)
{
    static ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
    if (real == NULL) {
        real = (ssize_t (*)(int, const void *, size_t, int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "sendto");
    }
    if (!is_loopback(to)) {
        errno = EPERM;
        return -1;
    }
    return real(socket, buffer, length, flags, to, size);
}

ssize_t sendmsg(int socket, const struct msghdr *message, int flags)
{
    static ssize_t (*real)(int, const struct msghdr *, int);
    if (real == NULL) {
        real = (ssize_t (*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
    }
    if (message != NULL && !is_loopback((const struct sockaddr *)message->msg_name)) {
        errno = EPERM;
        return -1;
    }
    return real(socket, message, flags);
}

int sendmmsg(int socket, struct mmsghdr *messages, unsigned int count, int flags)
{
    static int (*real)(int, struct mmsghdr *, unsigned int, int);
    if (real == NULL) {
        real = (int (*)(int, struct mmsghdr *, unsigned int, int))dlsym(RTLD_NEXT, "sendmmsg");
    }
    /* Sends the loopback messages before the first that is not; that one fails as sendmsg() would. */
    unsigned int allowed = 0;
    while (allowed < count && is_loopback((const struct sockaddr *)messages[allowed].msg_hdr.msg_name)) {
        allowed++;
    }
    if (allowed == 0 && count > 0) {
        errno = EPERM;
        return -1;
    }
    return real(socket, messages, allowed, flags);
}
