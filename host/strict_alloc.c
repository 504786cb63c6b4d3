/*
 * strict_alloc.c - the side table of module objects in module-strict mode
 * (strict_alloc.h): owner slots for module libraries, and a hash table
 * from object pointer to owner, origin, kind and size, under one mutex.
 */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gil.h"
#include "misuse.h"
#include "strict_alloc.h"

_Atomic long mh_track_live;

/* ---- owners: one slot per loaded library, never reused ---- */

#define MH_OWNERS 256

static struct {
    const void *base;
    uintptr_t lo, hi; /* the library's loaded segments */
    _Atomic int open;
    char name[64];
} owners[MH_OWNERS];
static _Atomic int owners_used = 1; /* slot 0 means "no owner" */

struct range_find {
    uintptr_t base, lo, hi;
};

/* dl_iterate_phdr callback: the span of the PT_LOAD segments of the
 * object loaded at r->base. */
static int find_range(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct range_find *r = data;
    if (info->dlpi_addr != r->base) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (r->lo == 0 || lo < r->lo) r->lo = lo;
        if (hi > r->hi) r->hi = hi;
    }
    return 1;
}

int mh_owner_open(const void *base) {
    int i = atomic_load(&owners_used);
    if (base == NULL || i >= MH_OWNERS) return 0;
    struct range_find r = {(uintptr_t)base, 0, 0};
    dl_iterate_phdr(find_range, &r);
    owners[i].base = base;
    owners[i].lo = r.lo;
    owners[i].hi = r.hi;
    owners[i].name[0] = '\0';
    atomic_store(&owners[i].open, 1);
    atomic_store(&owners_used, i + 1);
    return i;
}

void mh_owner_set_name(int owner, const char *name) {
    if (owner <= 0 || owner >= MH_OWNERS) return;
    snprintf(owners[owner].name, sizeof(owners[owner].name), "%s", name);
}

void mh_owner_close(int owner) {
    if (owner > 0 && owner < MH_OWNERS) atomic_store(&owners[owner].open, 0);
}

static int owner_by_addr(const void *addr) {
    uintptr_t a = (uintptr_t)addr;
    int n = atomic_load(&owners_used);
    for (int i = 1; i < n; i++) {
        if (atomic_load_explicit(&owners[i].open, memory_order_relaxed) && a >= owners[i].lo && a < owners[i].hi)
            return i;
    }
    return 0;
}

static int owner_by_name(const char *name) {
    if (name == NULL || name[0] == '\0') return 0;
    int n = atomic_load(&owners_used);
    for (int i = n - 1; i >= 1; i--) {
        if (atomic_load_explicit(&owners[i].open, memory_order_relaxed) && strcmp(owners[i].name, name) == 0)
            return i;
    }
    return 0;
}

/* The nearest module frame on this thread's stack. */
static int owner_by_stack(void) {
    void *frames[32];
    int n = backtrace(frames, 32);
    for (int i = 0; i < n; i++) {
        int o = owner_by_addr(frames[i]);
        if (o) return o;
    }
    return 0;
}

int mh_track_owner(const void *caller, const char *module) {
    int o = caller ? owner_by_addr(caller) : 0;
    if (!o) o = owner_by_name(module);
    if (!o && mh_gil == MH_GIL_HOST) o = owner_by_name(mh_cur_module_name);
    if (!o) o = owner_by_stack();
    return o;
}

static const char *cur_phase;
const char *const mh_phase_onload = "OnLoad";
const char *const mh_phase_onunload = "OnUnload";

const char *mh_track_set_phase(const char *phase) {
    const char *prev = cur_phase;
    cur_phase = phase;
    return prev;
}

/* Where an object made now comes from (a process-lifetime string). */
static const char *cur_origin(void) {
    if (mh_gil != MH_GIL_HOST) return "a module thread";
    if (mh_cur_cmd_name != NULL && mh_cur_cmd_name[0] != '\0') return mh_cur_cmd_name;
    if (cur_phase != NULL) return cur_phase;
    return "a callback outside commands";
}

/* ---- the table: chained hash on the pointer ---- */

struct entry {
    void *p;
    size_t size;
    const char *origin;
    int owner;
    int kind;
    struct entry *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct entry **buckets;
static size_t nbuckets;

static size_t slot_of(const void *p, size_t n) {
    uintptr_t h = (uintptr_t)p;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & (n - 1);
}

/* Doubles the buckets when the table is fuller than 2 per bucket. */
static void grow_locked(void) {
    long live = atomic_load(&mh_track_live);
    if (nbuckets != 0 && (size_t)live < nbuckets * 2) return;
    size_t n = nbuckets ? nbuckets * 2 : 1024;
    struct entry **nb = calloc(n, sizeof(*nb));
    if (nb == NULL) return;
    for (size_t i = 0; i < nbuckets; i++) {
        for (struct entry *e = buckets[i], *next; e != NULL; e = next) {
            next = e->next;
            size_t s = slot_of(e->p, n);
            e->next = nb[s];
            nb[s] = e;
        }
    }
    free(buckets);
    buckets = nb;
    nbuckets = n;
}

void mh_track_new_origin(void *p, size_t size, int kind, int owner, const char *origin) {
    if (p == NULL || owner <= 0 || !mh_strict) return;
    struct entry *e = malloc(sizeof(*e));
    if (e == NULL) return;
    *e = (struct entry){p, size, origin, owner, kind, NULL};
    pthread_mutex_lock(&mu);
    grow_locked();
    if (buckets == NULL) {
        pthread_mutex_unlock(&mu);
        free(e);
        return;
    }
    size_t s = slot_of(p, nbuckets);
    e->next = buckets[s];
    buckets[s] = e;
    atomic_fetch_add(&mh_track_live, 1);
    pthread_mutex_unlock(&mu);
}

void mh_track_new(void *p, size_t size, int kind, const void *caller, const char *module) {
    if (p == NULL || !mh_strict) return;
    mh_track_new_origin(p, size, kind, mh_track_owner(caller, module), cur_origin());
}

/* Unlinks and returns p's entry (NULL if none); mu held. */
static struct entry *unlink_locked(void *p) {
    if (buckets == NULL) return NULL;
    for (struct entry **pe = &buckets[slot_of(p, nbuckets)]; *pe != NULL; pe = &(*pe)->next) {
        if ((*pe)->p == p) {
            struct entry *e = *pe;
            *pe = e->next;
            atomic_fetch_sub(&mh_track_live, 1);
            return e;
        }
    }
    return NULL;
}

void mh_track_forget_slow(void *p) {
    pthread_mutex_lock(&mu);
    struct entry *e = unlink_locked(p);
    pthread_mutex_unlock(&mu);
    free(e);
}

int mh_track_move(void *old, void *p, size_t size) {
    if (atomic_load_explicit(&mh_track_live, memory_order_relaxed) == 0) return 0;
    pthread_mutex_lock(&mu);
    struct entry *e = unlink_locked(old);
    if (e != NULL) {
        e->p = p;
        e->size = size;
        size_t s = slot_of(p, nbuckets);
        e->next = buckets[s];
        buckets[s] = e;
        atomic_fetch_add(&mh_track_live, 1);
    }
    pthread_mutex_unlock(&mu);
    return e != NULL;
}

/* ---- summaries ---- */

#define MH_ORIGINS_SHOWN 8

long mh_track_summary(int owner, int kind, size_t *bytes, char *buf, size_t len, int forget) {
    const char *origins[MH_ORIGINS_SHOWN];
    long counts[MH_ORIGINS_SHOWN];
    int norig = 0;
    long n = 0, other = 0;
    *bytes = 0;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < nbuckets; i++) {
        for (struct entry **pe = &buckets[i]; *pe != NULL;) {
            struct entry *e = *pe;
            if (e->owner != owner || e->kind != kind) {
                pe = &e->next;
                continue;
            }
            n++;
            *bytes += e->size;
            int j = 0;
            while (j < norig && strcmp(origins[j], e->origin) != 0) j++;
            if (j == norig && norig < MH_ORIGINS_SHOWN) {
                origins[norig] = e->origin;
                counts[norig++] = 0;
            }
            if (j < norig) counts[j]++;
            else other++;
            if (forget) {
                *pe = e->next;
                atomic_fetch_sub(&mh_track_live, 1);
                free(e);
            } else {
                pe = &e->next;
            }
        }
    }
    pthread_mutex_unlock(&mu);
    for (int j = 1; j < norig; j++) { /* by origin name, for stable lines */
        for (int k = j; k > 0 && strcmp(origins[k - 1], origins[k]) > 0; k--) {
            const char *o = origins[k];
            origins[k] = origins[k - 1];
            origins[k - 1] = o;
            long c = counts[k];
            counts[k] = counts[k - 1];
            counts[k - 1] = c;
        }
    }
    size_t off = 0;
    buf[0] = '\0';
    for (int j = 0; j < norig && off < len; j++) {
        int w = snprintf(buf + off, len - off, "%s%ld from %s", j ? ", " : "", counts[j], origins[j]);
        if (w < 0) break;
        off += (size_t)w;
    }
    if (other > 0 && off < len) snprintf(buf + off, len - off, ", %ld from elsewhere", other);
    return n;
}
