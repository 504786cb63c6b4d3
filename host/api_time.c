/*
 * api_time.c - clocks and randomness for modules ("Module information and
 * time measurement", "Modules utility APIs").
 */
#include <errno.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "api_gen.h"

static long long clock_us(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

mstime_t mh_Milliseconds(void) {
    return clock_us(CLOCK_REALTIME) / 1000;
}

ustime_t mh_Microseconds(void) {
    return clock_us(CLOCK_REALTIME);
}

uint64_t mh_MonotonicMicroseconds(void) {
    return (uint64_t)clock_us(CLOCK_MONOTONIC);
}

/* Fills dst from the kernel's CSPRNG; the loop covers short reads. */
void mh_GetRandomBytes(unsigned char *dst, size_t len) {
    while (len > 0) {
        ssize_t n = getrandom(dst, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        dst += n;
        len -= (size_t)n;
    }
}

void mh_GetRandomHexChars(char *dst, size_t len) {
    static const char digits[] = "0123456789abcdef";
    mh_GetRandomBytes((unsigned char *)dst, len);
    for (size_t i = 0; i < len; i++) dst[i] = digits[(unsigned char)dst[i] & 0x0f];
}

/* The start time of the module command running now (0: none), set by the
 * dispatcher (Go writes the variable directly, without a call). */
long long mh_cached_us;

/* Returns the time, in microseconds, cached when the command running now
 * started (the dispatcher's clock reading for it), so that a whole command
 * sees one time, as Redis's server.ustime. Outside a module command
 * (timers, threads, events) it reads the clock. */
ustime_t mh_CachedMicroseconds(void) {
    long long us = mh_cached_us;
    if (us != 0) return us;
    return clock_us(CLOCK_REALTIME);
}
