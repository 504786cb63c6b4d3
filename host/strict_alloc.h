/*
 * strict_alloc.h - owners of module memory in module-strict mode
 * (strict_alloc.c, strict_leaks.go).
 *
 * While module-strict is yes, every RedisModule_Alloc-family block, every
 * module string and every RedisModuleCallReply root gets an entry in a
 * side table keyed by its pointer: its owning module, the command (or
 * OnLoad/OnUnload) that made it, its kind and size. The decision is made
 * when the object is created, so an object made before strict mode was on
 * has no entry and is freed as usual; entries are removed on free even
 * after strict mode is turned off. At MODULE UNLOAD and SHUTDOWN the
 * entries still there are a module's leaks.
 *
 * The owner is found from the caller's code address (the module library
 * it lies in), else from the module command running on this thread, else
 * from the nearest module frame on the stack.
 */
#ifndef MODHOST_STRICT_ALLOC_H
#define MODHOST_STRICT_ALLOC_H

#include <stdatomic.h>
#include <stddef.h>

/* Kinds of tracked objects. */
enum mh_track_kind {
    MH_TRACK_ALLOC = 0, /* RedisModule_Alloc, Calloc, Realloc, Strdup, Try* */
    MH_TRACK_STRING,    /* RedisModuleString (created, or a retained argv) */
    MH_TRACK_REPLY,     /* RedisModuleCallReply root (RedisModule_Call) */
    MH_TRACK_KINDS
};

/* Entries in the table (read without the lock: frees skip the table when
 * it is empty). */
extern _Atomic long mh_track_live;

/* Opens an owner slot for the library loaded at base (before its OnLoad
 * runs); returns the slot (> 0), or 0 when the table is full. */
int mh_owner_open(const void *base);
/* Names an owner slot once the module called RedisModule_Init. */
void mh_owner_set_name(int owner, const char *name);
/* Stops attributing addresses to the slot (the library is closed). */
void mh_owner_close(int owner);
/* Sets the phase named as origin outside commands ("OnLoad", "OnUnload"
 * or NULL); returns the previous one. */
const char *mh_track_set_phase(const char *phase);
/* The phase names. */
extern const char *const mh_phase_onload;
extern const char *const mh_phase_onunload;

/* The owner of an object created now: by caller (a code address, may be
 * NULL), then by module (a module name, may be NULL or ""), then by the
 * running module command, then by the stack. 0 when none is found. */
int mh_track_owner(const void *caller, const char *module);

/* Records p (size bytes, kind) as created now, when strict mode is on
 * and an owner is found (caller and module as for mh_track_owner). */
void mh_track_new(void *p, size_t size, int kind, const void *caller, const char *module);
/* Records p with the given origin (a process-lifetime string), when
 * strict mode is on. */
void mh_track_new_origin(void *p, size_t size, int kind, int owner, const char *origin);
/* Forgets p (it was freed); a pointer without an entry is ignored. */
void mh_track_forget_slow(void *p);
static inline void mh_track_forget(void *p) {
    if (atomic_load_explicit(&mh_track_live, memory_order_relaxed) > 0) mh_track_forget_slow(p);
}
/* Moves the entry of old to p (realloc), with its new size; returns 1
 * when old had one. */
int mh_track_move(void *old, void *p, size_t size);

/* Counts owner's live objects of kind: their number, bytes in *bytes,
 * and "N from <origin>, ..." in buf (len bytes). With forget set the
 * entries are dropped. */
long mh_track_summary(int owner, int kind, size_t *bytes, char *buf, size_t len, int forget);

#endif /* MODHOST_STRICT_ALLOC_H */
