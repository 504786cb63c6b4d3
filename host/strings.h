/*
 * strings.h - compatibility name for mh_string.h.
 *
 * cgo puts this directory on the include path, so this file also answers
 * every #include <strings.h>, including glibc's own from <string.h>. It
 * therefore first pulls in the system header of the same name, then the
 * module string declarations. New code includes "mh_string.h".
 */
#include_next <strings.h>
#include "mh_string.h"
